import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { guardAgainstEvil, originAndPath, recordNavigation, signInAtProvider, signInOnBothSites, welcome } from './helpers';
import { PROVIDER_URL, SITE1_URL, SITE2_URL } from './urls';

const SITES = [
	{ url: SITE1_URL, cookie: 'rp_site1_session', title: 'Internal Dashboard' },
	{ url: SITE2_URL, cookie: 'rp_site2_session', title: 'Team Wiki' }
];

/** The Cookie header the browser sent with the next document request to `origin`. */
async function cookieHeaderOfNextLoad(page: Page, origin: string, load: () => Promise<unknown>): Promise<string> {
	const request = page.waitForRequest((r) => r.isNavigationRequest() && new URL(r.url()).origin === origin);
	await load();
	return (await (await request).allHeaders()).cookie ?? '';
}

/**
 * Both sites show "Sign in with SSO" although the browser still sends their session cookies:
 * their sessions were ended on the server (by back-channel logout), not by clearing cookies.
 */
async function expectSitesSignedOutServerSide(page: Page, context: BrowserContext): Promise<void> {
	for (const site of SITES) {
		expect(
			(await context.cookies(site.url)).map((c) => c.name),
			`${site.cookie} still in the browser`
		).toContain(site.cookie);
	}
	for (const site of SITES) {
		const cookieHeader = await cookieHeaderOfNextLoad(page, site.url, () => page.goto(site.url));
		expect(cookieHeader, `${site.title} was sent its session cookie`).toMatch(new RegExp(`(^|;\\s*)${site.cookie}=`));
		await expect(page.getByRole('heading', { level: 1, name: site.title })).toBeVisible();
		await expect(page.getByRole('button', { name: 'Sign in with SSO' })).toBeVisible();
		// The site says why: its session was ended by the provider, not lost.
		await expect(page.getByRole('status')).toContainText('You were signed out everywhere.');
		await expect(page.getByRole('heading', { name: /^Welcome/ })).toHaveCount(0);
		await expect(page.getByRole('banner')).not.toContainText('Signed in as');
	}
}

/** The provider has no session any more: /account sends the user to sign in. */
async function expectProviderSignedOut(page: Page): Promise<void> {
	await page.goto(`${PROVIDER_URL}/account`);
	await expect(page).toHaveURL((url) => originAndPath(url.href) === `${PROVIDER_URL}/auth/login`);
	await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
}

// Ending the provider session, however it is done, ends both sites' sessions by back-channel.
// The top bar's "Sign out" is itself a POST to /auth/logout, so it signs out at once; the
// "Sign out?" page is what a GET of /auth/logout shows.
const PROVIDER_SIGN_OUTS = [
	{
		how: "the provider's top bar Sign out button",
		signOut: async (page: Page) => {
			await page.goto(`${PROVIDER_URL}/account`);
			await expect(page.getByRole('heading', { level: 1, name: 'Your account' })).toBeVisible();
			await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
		}
	},
	{
		how: 'the provider\'s "Sign out?" page',
		signOut: async (page: Page) => {
			await page.goto(`${PROVIDER_URL}/auth/logout`);
			await expect(page.getByRole('heading', { level: 1, name: 'Sign out?' })).toBeVisible();
			await page.getByRole('main').getByRole('button', { name: 'Sign out' }).click();
		}
	}
];

for (const { how, signOut } of PROVIDER_SIGN_OUTS) {
	test(`back-channel logout: signing out with ${how} signs both sites out`, { tag: '@forms' }, async ({ page, context }) => {
		await signInOnBothSites(page);
		await signOut(page);
		// Lands on a page that says it worked, not on the sign-in form.
		await expect(page).toHaveURL(`${PROVIDER_URL}/auth/logout/done`);
		await expect(page.getByRole('heading', { level: 1, name: 'You are signed out' })).toBeVisible();
		await expect(page).toHaveTitle('You are signed out — SSO Provider');
		expect((await context.cookies(PROVIDER_URL)).map((c) => c.name)).not.toContain('op_session');
		await expectSitesSignedOutServerSide(page, context);
		await expectProviderSignedOut(page);
	});
}

test('"Sign out everywhere" on site2 signs out there, at the provider and on site1, without a question', { tag: '@forms' }, async ({ page }) => {
	await signInOnBothSites(page);
	const nav = recordNavigation(page);
	await page.getByRole('button', { name: 'Sign out everywhere' }).click();
	await expect(page).toHaveURL(`${SITE2_URL}/`);
	await expect(page.getByRole('button', { name: 'Sign in with SSO' })).toBeVisible();
	await expect(page.getByRole('heading', { name: /^Welcome/ })).toHaveCount(0);
	// It went through the provider's end_session_endpoint with site2's ID token as hint ...
	const endSession = nav.requested.find((u) => originAndPath(u) === `${PROVIDER_URL}/api/auth/end-session`);
	expect(endSession, 'a request to the end_session_endpoint').toBeDefined();
	const query = new URL(endSession!).searchParams;
	expect(query.get('id_token_hint')).toBeTruthy();
	expect(query.get('client_id')).toBe('team-wiki');
	expect(query.get('post_logout_redirect_uri')).toBe(`${SITE2_URL}/`);
	// ... which, the hint being valid, signed out at once: no provider page was ever shown.
	expect(
		nav.committed.filter((u) => new URL(u).origin === PROVIDER_URL),
		'provider pages shown'
	).toEqual([]);

	await page.goto(SITE1_URL);
	await expect(page.getByRole('heading', { level: 1, name: 'Internal Dashboard' })).toBeVisible();
	await expect(page.getByRole('button', { name: 'Sign in with SSO' })).toBeVisible();
	await expect(welcome(page)).toHaveCount(0);
	// Site1 learned it by back-channel and says so (once: the next visit is a plain signed-out page).
	await expect(page.getByRole('status')).toContainText('You were signed out everywhere.');
	await page.reload();
	await expect(page.getByRole('button', { name: 'Sign in with SSO' })).toBeVisible();
	await expect(page.getByText('You were signed out everywhere.')).toHaveCount(0);
	await expectProviderSignedOut(page);
});

test.describe('RP-initiated logout without an id_token_hint', () => {
	const endSessionURL = (postLogout: string) =>
		`${PROVIDER_URL}/api/auth/end-session?${new URLSearchParams({ client_id: 'internal-dashboard', post_logout_redirect_uri: postLogout, state: 'xyz' })}`;

	test('asks first: "Stay signed in" keeps the session, "Sign out" signs out and returns with the state', { tag: '@forms' }, async ({ page }) => {
		await signInAtProvider(page);

		await test.step('"Stay signed in" keeps the provider session', async () => {
			await page.goto(endSessionURL(`${SITE1_URL}/`));
			await expect(page.getByRole('heading', { level: 1, name: 'Sign out?' })).toBeVisible();
			await expect(page.getByRole('main')).toContainText('Internal Dashboard asks to sign you out.');
			await page.getByRole('link', { name: 'Stay signed in' }).click();
			await expect(page).toHaveURL(`${PROVIDER_URL}/account`);
			await expect(page.getByRole('heading', { level: 1, name: 'Your account' })).toBeVisible();
			await page.reload();
			await expect(page.getByRole('heading', { level: 1, name: 'Your account' })).toBeVisible();
		});

		await test.step('"Sign out" ends it and lands on the registered URI with the state', async () => {
			await page.goto(endSessionURL(`${SITE1_URL}/`));
			await expect(page.getByRole('heading', { level: 1, name: 'Sign out?' })).toBeVisible();
			await page.getByRole('main').getByRole('button', { name: 'Sign out' }).click();
			await expect(page).toHaveURL(`${SITE1_URL}/?state=xyz`);
			await expect(page.getByRole('heading', { level: 1, name: 'Internal Dashboard' })).toBeVisible();
			await expectProviderSignedOut(page);
		});
	});

	test('an unregistered post_logout_redirect_uri gets the error page and is never visited', async ({ page }) => {
		const hits = await guardAgainstEvil(page);
		await signInAtProvider(page);
		const response = await page.goto(endSessionURL('https://evil.example/'));
		expect(response?.status()).toBe(400);
		// A rejected logout is headed as what it is, not as a rejected sign-in.
		await expect(page.getByRole('heading', { level: 1, name: 'Sign-out request rejected' })).toBeVisible();
		await expect(page).toHaveTitle('Sign-out request rejected — SSO Provider');
		await expect(page.getByRole('alert')).toContainText('post_logout_redirect_uri');
		await page.waitForLoadState('load');
		expect(originAndPath(page.url())).toBe(`${PROVIDER_URL}/api/auth/end-session`);
		await expect(page.locator('[href*="evil.example"], [action*="evil.example"]')).toHaveCount(0);
		// Nothing was ended either.
		await page.goto(`${PROVIDER_URL}/account`);
		await expect(page.getByRole('heading', { level: 1, name: 'Your account' })).toBeVisible();
		expect(hits, 'requests to evil.example').toEqual([]);
	});
});

test(
	'not signed in and no id_token_hint: the provider names where the client wants to send you, and goes there only on request',
	{ tag: '@forms' },
	async ({ page }) => {
		const query = new URLSearchParams({ client_id: 'internal-dashboard', post_logout_redirect_uri: `${SITE1_URL}/`, state: 'after' });
		const site1Host = new URL(SITE1_URL).host;
		await page.goto(`${PROVIDER_URL}/api/auth/end-session?${query}`);
		expect(originAndPath(page.url())).toBe(`${PROVIDER_URL}/api/auth/end-session`);
		await expect(page.getByRole('heading', { level: 1, name: 'You are signed out' })).toBeVisible();
		await expect(page.getByRole('main').locator('strong', { hasText: site1Host })).toBeVisible();
		await expect(page.getByRole('link', { name: 'Sign in again' })).toBeVisible();
		await page.getByRole('link', { name: `Continue to ${site1Host}` }).click();
		await expect(page).toHaveURL(`${SITE1_URL}/?state=after`);
		await expect(page.getByRole('heading', { level: 1, name: 'Internal Dashboard' })).toBeVisible();
	}
);
