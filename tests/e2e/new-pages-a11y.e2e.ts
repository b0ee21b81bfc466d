import { expect, test, type Page } from '@playwright/test';
import { authorizeURL, expectVisibleFocus, PARTNER_APP, registerClient, signInAtProvider, stayOffPartnerSite } from './helpers';
import { PROVIDER_URL, SITE1_URL } from './urls';

/** One h1, and a name for every form control (and link) a screen-reader user can reach. */
async function expectAccessibleBasics(page: Page, h1: string): Promise<void> {
	await expect(page.getByRole('heading', { level: 1 })).toHaveCount(1);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(h1);
	const controls = page.locator('button, input:not([type="hidden"]), select, textarea, a[href]');
	const count = await controls.count();
	expect(count, 'controls on the page').toBeGreaterThan(0);
	for (let i = 0; i < count; i++) {
		const control = controls.nth(i);
		await expect(control, `control #${i}: ${await control.evaluate((el) => el.outerHTML)}`).toHaveAccessibleName(/\S/);
	}
}

/** Presses Tab until `target` has the focus (the top bar and links come first). */
async function tabTo(page: Page, target: ReturnType<Page['getByRole']>): Promise<void> {
	for (let presses = 0; presses < 15 && !(await target.evaluate((el) => el === document.activeElement)); presses++) {
		await page.keyboard.press('Tab');
	}
	await expect(target).toBeFocused();
	await expectVisibleFocus(page);
}

test('consent page: one h1, named controls, Allow and Deny reachable by keyboard with visible focus', async ({ page, request }) => {
	await stayOffPartnerSite(page);
	const { client_id } = await registerClient(request, PARTNER_APP);
	await signInAtProvider(page);
	await page.goto(authorizeURL({ client_id, redirect_uri: `${SITE1_URL}/auth/callback`, response_type: 'code', scope: 'openid email', state: 'a11y' }));
	await expectAccessibleBasics(page, 'Allow Partner App to use your account?');
	await tabTo(page, page.getByRole('button', { name: 'Allow' }));
	await page.keyboard.press('Tab');
	await expect(page.getByRole('button', { name: 'Deny' })).toBeFocused();
	await expectVisibleFocus(page);
});

test('"Sign out?" pages: one h1, named controls, "Sign out" reachable by keyboard with visible focus', async ({ page }) => {
	await signInAtProvider(page);
	const pages = [
		`${PROVIDER_URL}/auth/logout`,
		`${PROVIDER_URL}/api/auth/end-session?${new URLSearchParams({ client_id: 'internal-dashboard', post_logout_redirect_uri: `${SITE1_URL}/` })}`
	];
	for (const url of pages) {
		await page.goto(url);
		await expectAccessibleBasics(page, 'Sign out?');
		await tabTo(page, page.getByRole('main').getByRole('button', { name: 'Sign out' }));
	}
});

test('"You are signed out" page: one h1, named controls', async ({ page }) => {
	// Not signed in and no post_logout_redirect_uri: the provider shows its own page.
	await page.goto(`${PROVIDER_URL}/api/auth/end-session`);
	await expect(page).toHaveURL(`${PROVIDER_URL}/auth/logout/done`);
	await expectAccessibleBasics(page, 'You are signed out');
	await tabTo(page, page.getByRole('link', { name: 'Sign in again' }));
});

test('"You are signed out" page naming a destination: one h1, named controls, "Continue" reachable by keyboard', async ({ page }) => {
	await page.goto(
		`${PROVIDER_URL}/api/auth/end-session?${new URLSearchParams({ client_id: 'internal-dashboard', post_logout_redirect_uri: `${SITE1_URL}/` })}`
	);
	await expectAccessibleBasics(page, 'You are signed out');
	await tabTo(page, page.getByRole('link', { name: `Continue to ${new URL(SITE1_URL).host}` }));
});
