import { expect, test } from '@playwright/test';
import { createAccount, pressByKeyboard } from './accounts';
import { expectAccessible } from './axe';
import { originAndPath, skipBrowserValidation, submitSignIn } from './helpers';
import { mailSentTo, nextMail } from './mail';
import { PROVIDER_URL, SITE1_URL } from './urls';

// Tagged @forms: also run with JavaScript disabled (the no-js project).

test.describe('forgot password', () => {
	test('from a failed sign-in to a new password, through the mail, by keyboard', { tag: '@forms' }, async ({ page, request }) => {
		const account = await createAccount(request, page, 'reset');
		const newPassword = 'correct horse battery staple reset';

		await test.step('signing in to the dashboard, a wrong password, then "Forgot password?" carries the address to the request form', async () => {
			await page.goto(SITE1_URL);
			await page.getByRole('button', { name: 'Sign in with SSO' }).click();
			await submitSignIn(page, account.email, 'not my password');
			await expect(page.getByRole('alert')).toHaveText('Email or password is incorrect.');
			const forgot = page.getByRole('link', { name: 'Forgot password?' });
			await pressByKeyboard(page, forgot);
			await expect(page).toHaveURL((url) => originAndPath(url.href) === `${PROVIDER_URL}/auth/forgot-password`);
			await expect(page.getByRole('heading', { level: 1, name: 'Forgot your password?' })).toBeVisible();
			await expect(page.getByLabel('Email')).toHaveValue(account.email);
			await expectAccessible(page, 'the forgot-password form');
		});

		await test.step('sending it says what happens next, whether or not the account exists', async () => {
			await page.getByLabel('Email').focus();
			await page.keyboard.press('Enter');
			await expect(page).toHaveURL((url) => originAndPath(url.href) === `${PROVIDER_URL}/auth/forgot-password/sent`);
			await expect(page.getByRole('heading', { level: 1, name: 'Check your mail' })).toBeVisible();
			await expect(page.getByRole('status')).toHaveText(`If an account exists for ${account.email}, we have sent it a link to choose a new password.`);
			await expect(page.getByRole('heading', { level: 2, name: 'Nothing arrived?' })).toBeVisible();
			await expectAccessible(page, 'the "check your mail" page');
		});

		const mail = await nextMail(account.email, { subject: /^Reset your SSO Provider password$/ });
		const link = mail.links[0];

		await test.step('the link opens a form for the new password; a common one is refused beside the field', async () => {
			await page.goto(link);
			await expect(page.getByRole('heading', { level: 1, name: 'Choose a new password' })).toBeVisible();
			await expect(page.getByRole('main')).toContainText(account.email);
			await expectAccessible(page, 'the new-password form');
			await skipBrowserValidation(page);
			const password = page.getByLabel('New password');
			await password.fill('password1');
			await password.press('Enter');
			await expect(password).toHaveAttribute('aria-invalid', 'true');
			await expect(password).toHaveAccessibleDescription(/one of the most common ones/);
			await expectAccessible(page, 'the new-password form with an error');
		});

		await test.step('a good password lands on sign-in with a notice and the address filled in', async () => {
			const password = page.getByLabel('New password');
			await password.fill(newPassword);
			await password.press('Enter');
			await expect(page).toHaveURL((url) => originAndPath(url.href) === `${PROVIDER_URL}/auth/login`);
			await expect(page.getByRole('status')).toHaveText('Your password has been changed. Sign in with your new password.');
			await expect(page.getByLabel('Email')).toHaveValue(account.email);
			await expectAccessible(page, 'the sign-in page after a reset');
			await page.getByLabel('Password').fill(newPassword);
			await page.getByLabel('Password').press('Enter');
		});

		await test.step('... and signing in continues to the dashboard the person was on the way to', async () => {
			await expect(page).toHaveURL(`${SITE1_URL}/`);
			await expect(page.getByRole('heading', { level: 2, name: `Welcome, ${account.name}` })).toBeVisible();
		});

		await test.step('the notice arrives; the link does not work twice', async () => {
			await nextMail(account.email, { subject: /^Your SSO Provider password was changed$/ });
			await page.goto(link);
			await expect(page.getByRole('heading', { level: 1, name: 'Reset link no longer works' })).toBeVisible();
			await expect(page.getByRole('link', { name: 'Ask for a new link' })).toBeVisible();
			await expectAccessible(page, 'a used reset link');
			const mails = await mailSentTo(account.email);
			for (const m of mails) expect(m.text + m.html).not.toContain(newPassword);
		});
	});

	test('a reset signs the account out everywhere, the dashboard included (back-channel logout)', { tag: '@forms' }, async ({ page, request }) => {
		const account = await createAccount(request, page, 'reset-everywhere');
		await page.goto(SITE1_URL);
		await page.getByRole('button', { name: 'Sign in with SSO' }).click();
		await submitSignIn(page, account.email, account.password);
		await expect(page.getByRole('heading', { level: 2, name: `Welcome, ${account.name}` })).toBeVisible();

		// Someone (the owner, from the mail) resets the password.
		await page.goto(`${PROVIDER_URL}/auth/forgot-password?email=${encodeURIComponent(account.email)}`);
		await page.getByRole('button', { name: 'Send reset link' }).click();
		await expect(page.getByRole('heading', { level: 1, name: 'Check your mail' })).toBeVisible();
		const mail = await nextMail(account.email, { subject: /^Reset your SSO Provider password$/ });
		await page.goto(mail.links[0]);
		await page.getByLabel('New password').fill('a whole new passphrase for everything');
		await page.getByRole('button', { name: 'Set new password' }).click();
		await expect(page.getByRole('status')).toHaveText('Your password has been changed. Sign in with your new password.');

		await page.goto(SITE1_URL);
		await expect(page.getByRole('button', { name: 'Sign in with SSO' })).toBeVisible();
		await expect(page.getByRole('heading', { name: /^Welcome/ })).toHaveCount(0);
		await page.goto(`${PROVIDER_URL}/account`);
		await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
	});

	test('held back after too many wrong passwords, the message offers the way out', { tag: '@forms' }, async ({ page, request }) => {
		const account = await createAccount(request, page, 'reset-held');
		await page.goto(`${PROVIDER_URL}/auth/login`);
		for (let i = 0; i < 6; i++) {
			const answered = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().startsWith(`${PROVIDER_URL}/auth/login`));
			await submitSignIn(page, account.email, `wrong guess ${i}`);
			await answered;
		}
		const alert = page.getByRole('alert');
		await expect(alert).toContainText(/^Too many failed sign-in attempts\. Try again in \d+ minutes\./);
		await expectAccessible(page, 'the sign-in page holding an account back');
		await alert.getByRole('link', { name: 'reset your password' }).click();
		await expect(page.getByRole('heading', { level: 1, name: 'Forgot your password?' })).toBeVisible();
		await expect(page.getByLabel('Email')).toHaveValue(account.email);
	});

	test('an unknown address gets the same answer and no mail', { tag: '@forms' }, async ({ page }) => {
		const unknown = `e2e-nobody-${Date.now().toString(36)}@example.com`;
		await page.goto(`${PROVIDER_URL}/auth/forgot-password`);
		await page.getByLabel('Email').fill(unknown);
		await page.getByRole('button', { name: 'Send reset link' }).click();
		await expect(page.getByRole('status')).toHaveText(`If an account exists for ${unknown}, we have sent it a link to choose a new password.`);
		await page.waitForTimeout(1000);
		expect(await mailSentTo(unknown)).toEqual([]);
	});

	test('a mistyped address is refused beside the field', { tag: '@forms' }, async ({ page }) => {
		await page.goto(`${PROVIDER_URL}/auth/forgot-password`);
		await page.locator('form[method="POST"]').evaluate((form) => ((form as HTMLFormElement).noValidate = true));
		await page.getByLabel('Email').fill('not an address');
		await page.getByRole('button', { name: 'Send reset link' }).click();
		await expect(page.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true');
		await expect(page.getByLabel('Email')).toHaveAccessibleDescription('Enter an email address like name@example.com.');
		await expectAccessible(page, 'the forgot-password form with an error');
	});
});
