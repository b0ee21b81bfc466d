import { expect, test, type Page } from '@playwright/test';
import { authorizeURL, originAndPath, PARTNER_APP, recordNavigation, registerClient, signInAtProvider, stayOffPartnerSite } from './helpers';
import { PROVIDER_URL, SITE1_URL } from './urls';

// Site1's callback: a page the test can observe (site1 itself then reports "Sign-in failed",
// as it did not start these requests).
const CALLBACK = `${SITE1_URL}/auth/callback`;

/** Runs `act` and returns the URL of the document request it led to on site1's callback. */
async function callbackAfter(page: Page, act: () => Promise<unknown>): Promise<URL> {
	const request = page.waitForRequest((r) => r.isNavigationRequest() && originAndPath(r.url()) === CALLBACK);
	await act();
	return new URL((await request).url());
}

const consentHeading = (page: Page) => page.getByRole('heading', { level: 1, name: 'Allow Partner App to use your account?' });

test(
	'consent for an untrusted client: Deny, Allow, remembered, asked again for a new scope and with prompt=consent',
	{ tag: '@forms' },
	async ({ page, request }) => {
		await stayOffPartnerSite(page);
		const { client_id } = await registerClient(request, PARTNER_APP);
		const authorize = (state: string, extra: Record<string, string> = {}) =>
			authorizeURL({ client_id, redirect_uri: CALLBACK, response_type: 'code', scope: 'openid profile email', state, ...extra });
		await signInAtProvider(page);

		await test.step('the consent page names the client, the scopes in words and its policies', async () => {
			await page.goto(authorize('deny-1'));
			await expect(page).toHaveURL((url) => originAndPath(url.href) === `${PROVIDER_URL}/auth/consent`);
			await expect(consentHeading(page)).toBeVisible();
			// Self-registered: labelled unverified, and its logo (on its own host) is not loaded (issue #6 finding 8).
			await expect(page.getByText('Unverified application.')).toBeVisible();
			await expect(page.locator('img[src*="partner.example"]')).toHaveCount(0);
			const scopes = page.getByRole('main').getByRole('listitem');
			await expect(scopes.filter({ hasText: 'See your email address' })).toHaveCount(1);
			await expect(scopes.filter({ hasText: 'See your name' })).toHaveCount(1);
			await expect(scopes.filter({ hasText: 'Confirm who you are' })).toHaveCount(1);
			await expect(page.getByRole('link', { name: 'Privacy policy' })).toHaveAttribute('href', PARTNER_APP.policy_uri);
			await expect(page.getByRole('link', { name: 'Terms of service' })).toHaveAttribute('href', PARTNER_APP.tos_uri);
			await expect(page.getByRole('button', { name: 'Allow' })).toBeVisible();
			await expect(page.getByRole('button', { name: 'Deny' })).toBeVisible();
		});

		await test.step('"Deny" returns error=access_denied with the state to the client', async () => {
			const callback = await callbackAfter(page, () => page.getByRole('button', { name: 'Deny' }).click());
			expect(callback.searchParams.get('error')).toBe('access_denied');
			expect(callback.searchParams.get('state')).toBe('deny-1');
			expect(callback.searchParams.get('iss')).toBe(PROVIDER_URL);
			expect(callback.searchParams.has('code')).toBe(false);
			await expect(page.getByRole('heading', { level: 1, name: 'Sign-in failed' })).toBeVisible();
		});

		await test.step('"Allow" returns a code with the state', async () => {
			await page.goto(authorize('allow-2'));
			await expect(consentHeading(page)).toBeVisible();
			const callback = await callbackAfter(page, () => page.getByRole('button', { name: 'Allow' }).click());
			expect(callback.searchParams.get('code')).toBeTruthy();
			expect(callback.searchParams.get('state')).toBe('allow-2');
			expect(callback.searchParams.has('error')).toBe(false);
		});

		await test.step('the same request again is not asked: straight to the client with a code', async () => {
			const nav = recordNavigation(page);
			const callback = await callbackAfter(page, () => page.goto(authorize('remembered-3')));
			expect(callback.searchParams.get('code')).toBeTruthy();
			expect(callback.searchParams.get('state')).toBe('remembered-3');
			expect(nav.requested.map(originAndPath)).not.toContain(`${PROVIDER_URL}/auth/consent`);
		});

		await test.step('a new scope is asked for, and only the new one is new', async () => {
			await page.goto(authorize('more-4', { scope: 'openid profile email offline_access' }));
			await expect(page).toHaveURL((url) => originAndPath(url.href) === `${PROVIDER_URL}/auth/consent`);
			await expect(consentHeading(page)).toBeVisible();
			await expect(page.getByRole('main').getByRole('listitem').filter({ hasText: 'Stay connected when you are not using it' })).toHaveCount(1);
		});

		await test.step('prompt=consent asks again', async () => {
			await page.goto(authorize('again-5', { prompt: 'consent' }));
			await expect(page).toHaveURL((url) => originAndPath(url.href) === `${PROVIDER_URL}/auth/consent`);
			await expect(consentHeading(page)).toBeVisible();
		});
	}
);
