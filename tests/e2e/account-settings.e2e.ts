import { expect, test, type Page } from '@playwright/test';
import { createAccount, pressByKeyboard } from './accounts';
import { expectAccessible } from './axe';
import { submitSignIn } from './helpers';
import { nextMail } from './mail';
import { PROVIDER_URL } from './urls';

// Tagged @forms: also run with JavaScript disabled (the no-js project). Each journey uses a
// fresh account made through the mailed sign-up link, so the shared demo user never changes.

async function signInFresh(page: Page, email: string, password: string): Promise<void> {
	// prompt=login shows the form even if the sign-up confirmation's session arrived late: the
	// journey always starts from a sign-in with the password.
	await page.goto(`${PROVIDER_URL}/auth/login?prompt=login`);
	await submitSignIn(page, email, password);
	await expect(page).toHaveURL(`${PROVIDER_URL}/account`);
}

/** Lets the page's form reach the server with values the browser's own validation would hold back. */
async function skipValidation(page: Page, selector: string): Promise<void> {
	await page.locator(selector).evaluate((form) => ((form as HTMLFormElement).noValidate = true));
}

test.describe('account settings', () => {
	test('change the password: a wrong current password is refused beside the field; the new one signs in', { tag: '@forms' }, async ({ page, request }) => {
		const account = await createAccount(request, page, 'password');
		await signInFresh(page, account.email, account.password);
		const newPassword = `changed passphrase ${Math.random().toString(36).slice(2)}`;

		await test.step('"Change password" on the account page opens the form', async () => {
			const link = page.getByRole('link', { name: 'Change password' });
			await pressByKeyboard(page, link);
			await expect(page).toHaveURL(`${PROVIDER_URL}/account/password`);
			await expect(page.getByRole('heading', { level: 1, name: 'Change password' })).toBeVisible();
			await expectAccessible(page, 'the change-password form');
		});

		await test.step('a wrong current password is refused beside the field', async () => {
			await page.getByLabel('Current password').fill('not my password');
			await page.getByLabel('New password').fill(newPassword);
			await page.getByLabel('New password').press('Enter');
			const current = page.getByLabel('Current password');
			await expect(current).toHaveAttribute('aria-invalid', 'true');
			await expect(current).toHaveAccessibleDescription('This is not your current password.');
			await expectAccessible(page, 'the change-password form with an error');
		});

		await test.step('with the right one the password changes, and the account page says so', async () => {
			await page.getByLabel('Current password').fill(account.password);
			await page.getByLabel('New password').fill(newPassword);
			await page.getByRole('button', { name: 'Change password' }).click();
			await expect(page).toHaveURL(`${PROVIDER_URL}/account?notice=password-changed`);
			await expect(page.getByRole('status')).toContainText('Your password has been changed.');
			await expectAccessible(page, 'the account page after a password change');
		});

		const notice = await nextMail(account.email, { subject: /^Your SSO Provider password was changed$/ });
		expect(notice.text).not.toContain(newPassword);

		await test.step('the old password no longer signs in; the new one does', async () => {
			await page.context().clearCookies();
			await page.goto(`${PROVIDER_URL}/auth/login`);
			await submitSignIn(page, account.email, account.password);
			await expect(page.getByRole('alert')).toContainText('Email or password is incorrect.');
			await submitSignIn(page, account.email, newPassword);
			await expect(page).toHaveURL(`${PROVIDER_URL}/account`);
		});
	});

	test('edit the name: an empty name is refused beside the field; a new one is saved', { tag: '@forms' }, async ({ page, request }) => {
		const account = await createAccount(request, page, 'name');
		await signInFresh(page, account.email, account.password);
		const name = page.getByLabel('Name', { exact: true });
		await expect(name).toHaveValue(account.name);

		await skipValidation(page, 'form[action="?/updateName"]');
		await name.fill('   ');
		await name.press('Enter');
		await expect(page.getByLabel('Name', { exact: true })).toHaveAttribute('aria-invalid', 'true');
		await expect(page.getByLabel('Name', { exact: true })).toHaveAccessibleDescription('Enter your name.');
		await expectAccessible(page, 'the account page with a refused name');

		await page.getByLabel('Name', { exact: true }).fill('Grace Hopper');
		await page.getByRole('button', { name: 'Save name' }).click();
		await expect(page).toHaveURL(`${PROVIDER_URL}/account?notice=name-updated`);
		await expect(page.getByRole('status')).toContainText('Your name has been saved.');
		await expect(page.getByLabel('Name', { exact: true })).toHaveValue('Grace Hopper');
	});

	test('re-authentication: the sign-in page says why, and signing in comes straight back to the page', { tag: '@forms' }, async ({ page, request }) => {
		const account = await createAccount(request, page, 'reauth');
		await signInFresh(page, account.email, account.password);
		await page.goto(`${PROVIDER_URL}/auth/login?prompt=login&return_to=%2Faccount%2Fpassword&notice=reauthenticate`);
		await expect(page.getByRole('status')).toContainText('needs a recent sign-in');
		await expect(page.getByTestId('signed-in-as')).toBeVisible();
		await expectAccessible(page, 'the re-authentication prompt');
		await submitSignIn(page, account.email, account.password);
		await expect(page).toHaveURL(`${PROVIDER_URL}/account/password`);
		await expect(page.getByRole('heading', { level: 1, name: 'Change password' })).toBeVisible();
	});

	test('delete the account: a confirmation page says what happens; afterwards the account is gone', { tag: '@forms' }, async ({ page, request }) => {
		const account = await createAccount(request, page, 'delete');
		await signInFresh(page, account.email, account.password);

		await page.getByRole('link', { name: 'Delete your account…' }).click();
		await expect(page).toHaveURL(`${PROVIDER_URL}/account/delete`);
		await expect(page.getByRole('heading', { level: 1, name: 'Delete your account' })).toBeVisible();
		await expect(page.getByRole('main')).toContainText('It cannot be undone.');
		await expectAccessible(page, 'the delete-account confirmation');

		await test.step('"Keep my account" goes back without deleting', async () => {
			await page.getByRole('link', { name: 'Keep my account' }).click();
			await expect(page).toHaveURL(`${PROVIDER_URL}/account`);
			await page.goto(`${PROVIDER_URL}/account/delete`);
		});

		const button = page.getByRole('button', { name: 'Delete my account permanently' });
		await pressByKeyboard(page, button);
		await expect(page).toHaveURL(`${PROVIDER_URL}/account/deleted`);
		await expect(page.getByRole('heading', { level: 1, name: 'Your account was deleted' })).toBeVisible();
		await expectAccessible(page, 'the account-deleted page');

		await page.goto(`${PROVIDER_URL}/account`);
		await expect(page).toHaveURL(/\/auth\/login/);
		await submitSignIn(page, account.email, account.password);
		await expect(page.getByRole('alert')).toContainText('Email or password is incorrect.');
	});
});
