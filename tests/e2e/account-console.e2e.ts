import { expect, test, type Page } from '@playwright/test';
import { createAccount } from './accounts';
import { expectAccessible } from './axe';
import { javaScriptOn, signInOnSite } from './helpers';
import { PROVIDER_URL, SITE1_URL, SITE2_URL } from './urls';

const FIREFOX_ON_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0';

// Tagged @forms: also run with JavaScript disabled (the no-js project).

/** The site's page no longer greets the user: its session was ended on the server. */
async function expectSignedOutOfSite(page: Page, site: string): Promise<void> {
	await page.goto(site);
	await expect(page.getByRole('button', { name: 'Sign in with SSO' })).toBeVisible();
	await expect(page.getByRole('heading', { name: /^Welcome/ })).toHaveCount(0);
}

test.describe('account console', () => {
	test('lists both browsers, signs the other one out, and revoking an app signs the user out of it', { tag: '@forms' }, async ({ page, request, browser }) => {
		const account = await createAccount(request, page, 'console');
		await signInOnSite(page, SITE1_URL, account);
		// The other browser says it is Firefox, so the list tells the two apart as a user would.
		const otherBrowser = await browser.newContext({ javaScriptEnabled: javaScriptOn(), userAgent: FIREFOX_ON_WINDOWS });
		const other = await otherBrowser.newPage();
		await signInOnSite(other, SITE2_URL, account);

		const sessions = page.getByRole('region', { name: 'Where you are signed in' });
		const otherSession = sessions.getByRole('listitem').filter({ has: page.getByRole('heading', { level: 3, name: 'Firefox on Windows' }) });
		await test.step('the account page lists both browsers, this device marked', async () => {
			await page.goto(`${PROVIDER_URL}/account`);
			await expect(otherSession).toHaveCount(1);
			await expect(sessions.getByRole('heading', { level: 3, name: /This device$/ })).toHaveCount(1);
			await expect(page.getByRole('region', { name: 'Connected applications' }).getByRole('heading', { level: 3, name: 'Internal Dashboard' })).toBeVisible();
			await expectAccessible(page, 'the account console with two sessions and a connected app');
		});

		await test.step('"Sign out" on the other session ends it and its wiki session', async () => {
			await otherSession.getByRole('button', { name: /^Sign out Firefox on Windows, last seen/ }).click();
			await expect(page).toHaveURL(`${PROVIDER_URL}/account?notice=session-ended#sessions`);
			await expect(page.getByRole('status')).toContainText('That session has been signed out');
			await expect(otherSession).toHaveCount(0);
			await expect(sessions.getByRole('heading', { level: 3, name: /This device$/ })).toHaveCount(1);
			await expectAccessible(page, 'the account console after signing out another session');
			await expectSignedOutOfSite(other, SITE2_URL);
			await otherBrowser.close();
		});

		await test.step('"Revoke access" for the dashboard signs the user out of it, not of the provider', async () => {
			const apps = page.getByRole('region', { name: 'Connected applications' });
			await apps.getByRole('button', { name: 'Revoke access for Internal Dashboard' }).click();
			await expect(page).toHaveURL(`${PROVIDER_URL}/account?notice=app-revoked#apps`);
			await expect(page.getByRole('status')).toContainText('Access removed.');
			await expect(apps.getByRole('heading', { level: 3, name: 'Internal Dashboard' })).toHaveCount(0);
			await expect(apps).toContainText('No application has access to your account.');
			await expectAccessible(page, 'the account console after revoking an app');
			await expectSignedOutOfSite(page, SITE1_URL);
			await page.goto(`${PROVIDER_URL}/account`);
			await expect(page.getByRole('heading', { level: 1, name: 'Your account' })).toBeVisible();
		});
	});
});
