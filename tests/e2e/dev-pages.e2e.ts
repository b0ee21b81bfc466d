// The provider's developer pages (DEVELOPER_PAGES=true in playwright.config.ts): the signing
// key lifecycle at /dev/keys and the "For developers" section of a rejected sign-in request.
// Both are server-rendered, so they read the same without JavaScript; axe where scripts run.
import { expect, test } from '@playwright/test';
import { expectAccessible } from './axe';
import { authorizeURL, expectVisibleFocus } from './helpers';
import { PROVIDER_URL, SITE1_URL } from './urls';

test('/dev/keys shows every published key on a timeline and a table, with why keys are published ahead @forms', async ({ page, request }) => {
	const jwks = (await (await request.get(`${PROVIDER_URL}/api/auth/jwks`)).json()) as { keys: { kid: string }[] };
	await page.goto(`${PROVIDER_URL}/dev/keys`);
	await expect(page).toHaveTitle(/^Signing key lifecycle — /);
	await expect(page.getByRole('heading', { level: 1, name: 'Signing key lifecycle' })).toBeVisible();
	await expect(page.getByRole('heading', { level: 2, name: 'Why keys are published ahead and kept after use' })).toBeVisible();
	await expect(page.getByRole('img', { name: /Time runs left to right/ })).toBeVisible();
	for (const { kid } of jwks.keys) await expect(page.getByRole('main').getByText(kid, { exact: true })).toBeVisible();
	const keys = page.getByRole('region', { name: 'Keys' }).getByRole('row');
	await expect(keys).toHaveCount(jwks.keys.length + 1);
	// Within 10 minutes of the first keys no relying party can have cached an older JWKS ("first fetch"); after that, "verifies from the cache".
	await expect(page.getByRole('region', { name: 'Moments' })).toContainText(/first fetch|verifies from the cache/);
	// Only the common-issues lab (lab.e2e.ts: the chromium project runs it before the no-js one runs this) rotates
	// keys in this suite, on purpose without the publish-ahead delay; until it has, no moment may need a refetch.
	if (jwks.keys.length === 3) await expect(page.getByRole('region', { name: 'Moments' })).not.toContainText('needs a refetch');
	await expectAccessible(page, 'the key lifecycle page');
});

test('a redirect_uri mismatch: "For developers" cites the spec, lists the registered URIs and how to add one @forms', async ({ page }) => {
	const response = await page.goto(
		authorizeURL({ client_id: 'internal-dashboard', redirect_uri: 'https://evil.example/cb', response_type: 'code', scope: 'openid', state: 'dev' })
	);
	expect(response?.status()).toBe(400);
	await expect(page.getByRole('heading', { level: 1, name: 'Sign-in request rejected' })).toBeVisible();
	const developers = page.getByRole('region', { name: 'For developers' });
	await expect(developers).toBeVisible();
	await expect(developers.getByRole('link', { name: 'RFC 6749 §3.1.2.3' })).toHaveAttribute('href', 'https://www.rfc-editor.org/rfc/rfc6749#section-3.1.2.3');
	await expect(developers.getByRole('list').filter({ hasText: '/auth/callback' }).getByRole('listitem').first()).toHaveText(`${SITE1_URL}/auth/callback`);
	await expect(developers).toContainText('npm run clients -- add --id internal-dashboard');
	// Nothing on the page leads to the unregistered URI.
	await expect(page.locator('[href*="evil.example"], [action*="evil.example"]')).toHaveCount(0);

	// The spec links are reachable by keyboard, with a visible focus.
	const link = developers.getByRole('link', { name: 'RFC 6749 §3.1.2.3' });
	for (let presses = 0; presses < 20 && !(await link.evaluate((el) => el === document.activeElement)); presses++) await page.keyboard.press('Tab');
	await expect(link).toBeFocused();
	await expectVisibleFocus(page);
	await expectAccessible(page, 'a rejected request with the developer section');
});
