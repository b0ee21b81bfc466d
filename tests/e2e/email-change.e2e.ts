import { expect, test } from '@playwright/test';
import { createAccount, pressByKeyboard } from './accounts';
import { expectAccessible } from './axe';
import { skipBrowserValidation, submitSignIn, uniqueEmail } from './helpers';
import { mailSentTo, nextMail } from './mail';
import { PROVIDER_URL } from './urls';

// Tagged @forms: also run with JavaScript disabled (the no-js project).

test.describe('change of email address', () => {
	test('asks for the password, mails the new address, and changes on confirmation', { tag: '@forms' }, async ({ page, request }) => {
		const account = await createAccount(request, page, 'change');
		const newEmail = uniqueEmail('changed');
		await page.goto(`${PROVIDER_URL}/auth/login`);
		await submitSignIn(page, account.email, account.password);
		await expect(page).toHaveURL(`${PROVIDER_URL}/account`);

		await test.step('"Change email" on the account page opens the form', async () => {
			const change = page.getByRole('link', { name: 'Change email' });
			await pressByKeyboard(page, change);
			await expect(page).toHaveURL(`${PROVIDER_URL}/account/email`);
			await expect(page.getByRole('heading', { level: 1, name: 'Change email' })).toBeVisible();
			await expectAccessible(page, 'the change-email form');
		});

		await test.step('without the current password it is refused beside the field', async () => {
			await skipBrowserValidation(page);
			await page.getByLabel('New email address').fill(newEmail);
			await page.getByLabel('New email address').press('Enter');
			const password = page.getByLabel('Current password');
			await expect(password).toHaveAttribute('aria-invalid', 'true');
			await expect(password).toHaveAccessibleDescription('Enter your current password.');
			await expect(page.getByLabel('New email address')).toHaveValue(newEmail);
			await expectAccessible(page, 'the change-email form with an error');
		});

		await test.step('with it, the page says where the link went', async () => {
			await page.getByLabel('Current password').fill(account.password);
			await page.getByLabel('Current password').press('Enter');
			await expect(page.getByRole('heading', { level: 1, name: 'Confirm your new address' })).toBeVisible();
			await expect(page.getByRole('status')).toHaveText(`We have sent a message to ${newEmail}.`);
			await expectAccessible(page, 'the "confirm your new address" page');
		});

		const mail = await nextMail(newEmail, { subject: /^Confirm your new SSO Provider email address$/ });
		const link = mail.links[0];

		await test.step('the link shows what will change; the button changes it', async () => {
			await page.goto(link);
			await expect(page.getByRole('heading', { level: 1, name: 'Confirm your new email address' })).toBeVisible();
			await expectAccessible(page, 'the confirm page');
			const button = page.getByRole('button', { name: `Use ${newEmail}` });
			await pressByKeyboard(page, button);
			await expect(page).toHaveURL(`${PROVIDER_URL}/account?notice=email-changed`);
			await expect(page.getByRole('status')).toContainText('Your email address has been changed.');
			await expect(page.getByRole('main')).toContainText(`${newEmail} (verified)`);
			await expectAccessible(page, 'the account page after the change');
		});

		await test.step('the old address heard of the request and of the change; the link is used up', async () => {
			await nextMail(account.email, { subject: /^Your SSO Provider email address was changed$/ });
			const subjects = (await mailSentTo(account.email)).map((m) => m.subject);
			expect(subjects).toContain('A change of your SSO Provider email address was requested');
			await page.goto(link);
			await expect(page.getByRole('heading', { level: 1, name: 'Confirmation link no longer works' })).toBeVisible();
			await expectAccessible(page, 'a used confirmation link');
		});
	});
});
