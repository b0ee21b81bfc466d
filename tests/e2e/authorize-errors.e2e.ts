import { expect, test } from '@playwright/test';
import { authorizeURL, expectVisibleFocus, guardAgainstEvil, originAndPath, registerClient, submitSignIn } from './helpers';
import { DEMO_USER, PROVIDER_URL, SITE1_URL } from './urls';

const EVIL = 'https://evil.example/cb';

const UNVERIFIED = [
	{
		what: 'an unregistered redirect_uri',
		params: { client_id: 'internal-dashboard', redirect_uri: EVIL, response_type: 'code', scope: 'openid email', state: 'st-1' }
	},
	{
		what: 'a redirect_uri registered for another client',
		params: { client_id: 'team-wiki', redirect_uri: `${SITE1_URL}/auth/callback`, response_type: 'code', scope: 'openid', state: 'st-2' }
	},
	{
		what: 'an unknown client_id',
		params: { client_id: 'no-such-client', redirect_uri: EVIL, response_type: 'code', scope: 'openid', state: 'st-3' }
	}
];

for (const { what, params } of UNVERIFIED) {
	for (const signedIn of [false, true]) {
		test(`${what} is rejected on the provider, never redirected (${signedIn ? 'signed in' : 'signed out'})`, async ({ page }) => {
			const hits = await guardAgainstEvil(page);
			if (signedIn) {
				await page.goto(`${PROVIDER_URL}/auth/login`);
				await submitSignIn(page, DEMO_USER.email, DEMO_USER.password);
				await expect(page).toHaveURL(`${PROVIDER_URL}/account`);
			}
			const response = await page.goto(authorizeURL(params));
			expect(response?.status()).toBe(400);
			await expect(page.getByRole('heading', { level: 1, name: 'Sign-in request rejected' })).toBeVisible();
			await expect(page.getByRole('alert')).not.toBeEmpty();
			await page.waitForLoadState('load');
			expect(new URL(page.url()).origin).toBe(PROVIDER_URL);
			expect(originAndPath(page.url())).toBe(`${PROVIDER_URL}/api/auth/authorize`);
			// No link or button on the page leads there either.
			await expect(page.locator('[href*="evil.example"], [action*="evil.example"]')).toHaveCount(0);
			expect(hits, 'requests to evil.example').toEqual([]);
		});
	}
}

test('a redirectable authorization error comes back to site1 as "Sign-in failed" with the reason', async ({ page }) => {
	const hits = await guardAgainstEvil(page);
	// Site1 starts a normal sign-in (its own state, nonce and PKCE); on the way to the provider
	// the request loses the `openid` scope, as a misconfigured client would send it. (Routes
	// never see redirect targets, so the rewrite happens on site1's 303 to the provider.)
	let rewritten = false;
	await page.route(
		(url) => url.origin === SITE1_URL && url.pathname === '/auth/sign-in',
		async (route) => {
			const response = await route.fetch({ maxRedirects: 0 });
			const location = new URL(response.headers()['location'] ?? '', SITE1_URL);
			expect(originAndPath(location.href)).toBe(`${PROVIDER_URL}/api/auth/authorize`);
			const scopes = (location.searchParams.get('scope') ?? '').split(' ');
			expect(scopes).toContain('openid');
			location.searchParams.set('scope', scopes.filter((s) => s !== 'openid').join(' '));
			rewritten = true;
			await route.fulfill({ response, headers: { ...response.headers(), location: location.href } });
		}
	);
	await page.goto(SITE1_URL);
	await page.getByRole('button', { name: 'Sign in with SSO' }).click();

	await expect(page).toHaveURL((url) => originAndPath(url.href) === `${SITE1_URL}/auth/callback`);
	expect(rewritten).toBe(true);
	const callback = new URL(page.url());
	expect(callback.searchParams.get('error')).toBe('invalid_scope');
	expect(callback.searchParams.get('iss')).toBe(PROVIDER_URL);
	const description = callback.searchParams.get('error_description');
	expect(description, 'error_description from the provider').toBeTruthy();

	await expect(page.getByRole('heading', { level: 1, name: 'Sign-in failed' })).toBeVisible();
	await expect(page.getByRole('alert')).toContainText(description!);
	await expect(page.getByRole('button', { name: 'Try again' })).toBeVisible();
	// Nothing got signed in.
	await page.goto(SITE1_URL);
	await expect(page.getByRole('button', { name: 'Sign in with SSO' })).toBeVisible();
	expect(hits).toEqual([]);
});

// RFC 9700 §4.11.2: anyone can register a client, so an error for a self-registered one is not
// redirected automatically; the provider names the destination and the user decides.
test(
	'an error for a self-registered client: the provider names the destination; "Continue" goes there, "Stay" does not',
	{ tag: '@forms' },
	async ({ page, request }) => {
		const hits = await guardAgainstEvil(page);
		const { client_id } = await registerClient(request, { client_name: 'Self-Registered App', redirect_uris: [`${SITE1_URL}/auth/callback`] });
		const params = { client_id, redirect_uri: `${SITE1_URL}/auth/callback`, response_type: 'code', scope: 'profile', state: 'st-self' };
		const site1Host = new URL(SITE1_URL).host;

		await page.goto(authorizeURL(params));
		expect(originAndPath(page.url())).toBe(`${PROVIDER_URL}/api/auth/authorize`);
		await expect(page.getByRole('heading', { level: 1, name: 'Sign-in not completed' })).toBeVisible();
		await expect(page.getByRole('alert')).toContainText('openid');
		await expect(page.getByRole('main')).toContainText('Self-Registered App');
		await expect(page.getByRole('main').locator('strong', { hasText: site1Host })).toBeVisible();

		await test.step('"Stay on this provider" leads to the provider, not the client', async () => {
			await page.getByRole('link', { name: 'Stay on this provider' }).click();
			await expect(page).toHaveURL((url) => url.origin === PROVIDER_URL);
		});

		await test.step('"Continue", reached with the keyboard, delivers the error to the client', async () => {
			await page.goto(authorizeURL(params));
			const proceed = page.getByRole('link', { name: `Continue to ${site1Host}` });
			for (let presses = 0; presses < 15 && !(await proceed.evaluate((el) => el === document.activeElement)); presses++) await page.keyboard.press('Tab');
			await expect(proceed).toBeFocused();
			await expectVisibleFocus(page);
			await page.keyboard.press('Enter');
			await expect(page).toHaveURL((url) => originAndPath(url.href) === `${SITE1_URL}/auth/callback`);
			const callback = new URL(page.url());
			expect(callback.searchParams.get('error')).toBe('invalid_scope');
			expect(callback.searchParams.get('state')).toBe('st-self');
			expect(callback.searchParams.get('iss')).toBe(PROVIDER_URL);
		});
		expect(hits).toEqual([]);
	}
);
