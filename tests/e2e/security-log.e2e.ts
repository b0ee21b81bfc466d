import { expect, test, type Locator, type Page } from '@playwright/test';
import { createAccount, pressByKeyboard } from './accounts';
import { expectAccessible } from './axe';
import { submitSignIn } from './helpers';
import { PROVIDER_URL } from './urls';

// Tagged @forms: also run with JavaScript disabled (the no-js project). A fresh account per
// run, so its log holds only what this journey did.

const lines = (page: Page): Locator => page.getByRole('list', { name: 'Newest events' }).getByRole('listitem');

test.describe('security log', () => {
	test(
		'a failed sign-in, the sign-in and a password change appear in the log, newest first, with where they came from',
		{ tag: '@forms' },
		async ({ page, request }) => {
			const account = await createAccount(request, page, 'seclog');
			const newPassword = `changed passphrase ${Math.random().toString(36).slice(2)}`;

			await test.step('a wrong password, then the right one', async () => {
				await page.goto(`${PROVIDER_URL}/auth/login?prompt=login`);
				await submitSignIn(page, account.email, 'not my password at all');
				await expect(page.getByRole('alert')).toContainText('Email or password is incorrect.');
				await submitSignIn(page, account.email, account.password);
				await expect(page).toHaveURL(`${PROVIDER_URL}/account`);
			});

			await test.step('change the password', async () => {
				await page.goto(`${PROVIDER_URL}/account/password`);
				await page.getByLabel('Current password').fill(account.password);
				await page.getByLabel('New password').fill(newPassword);
				await page.getByRole('button', { name: 'Change password' }).click();
				await expect(page).toHaveURL(`${PROVIDER_URL}/account?notice=password-changed`);
			});

			await test.step('the account page leads to the log by keyboard', async () => {
				const link = page.getByRole('link', { name: 'See your security log' });
				await pressByKeyboard(page, link);
				await expect(page).toHaveURL(`${PROVIDER_URL}/account/security`);
				await expect(page.getByRole('heading', { level: 1, name: 'Security log' })).toBeVisible();
				await expect(page).toHaveTitle(/Security log/);
			});

			await test.step('each event in plain words, newest first; this session’s own sign-in is marked', async () => {
				const events = lines(page);
				await expect(events.nth(0)).toContainText('Changed your password');
				await expect(events.nth(1)).toContainText('Signed in with a password');
				await expect(events.nth(1)).toContainText('This session');
				await expect(events.nth(2)).toContainText('Failed sign-in: wrong password');
				await expect(events.nth(2)).not.toContainText('This session');
				for (const i of [0, 1, 2]) {
					// From where: this browser's address and its name, not "unknown".
					await expect(events.nth(i).locator('dd').nth(1)).toHaveText(/^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/);
					await expect(events.nth(i).locator('dd').nth(2)).toHaveText(/Chrome on /);
				}
				// No secret of the journey is shown anywhere on the page.
				const text = await page.locator('main').innerText();
				expect(text).not.toContain(newPassword);
				expect(text).not.toContain('not my password at all');
				await expectAccessible(page, 'the security log');
			});

			await test.step('a forged "older events" link shows the newest events with a clear message, not an error', async () => {
				await page.goto(`${PROVIDER_URL}/account/security?before=not-a-cursor`);
				await expect(page.getByRole('alert')).toContainText('That link to older events is not valid.');
				await expect(lines(page).first()).toContainText('Changed your password');
			});

			await test.step('signed out, the log asks to sign in and comes back', async () => {
				await page.context().clearCookies();
				await page.goto(`${PROVIDER_URL}/account/security`);
				await expect(page).toHaveURL(/\/auth\/login\?return_to=%2Faccount%2Fsecurity$/);
				await submitSignIn(page, account.email, newPassword);
				await expect(page).toHaveURL(`${PROVIDER_URL}/account/security`);
				await expect(lines(page).first()).toContainText('Signed in with a password');
				await expect(lines(page).first()).toContainText('This session');
			});
		}
	);
});
