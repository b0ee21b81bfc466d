// The common-issues lab on the demo sites (/lab, on with FLOW_INSPECTOR=true in
// playwright.config.ts): each of the guide's common issues triggered with one click and
// diagnosed from that run; by keyboard, and without JavaScript (every trigger is a form POST).
// The file runs after dev-pages.e2e.ts: its key rotations add keys to /dev/keys.
import { expect, test, type Page } from '@playwright/test';
import { expectNoAxeViolations, expectAccessible } from './axe';
import { expectVisibleFocus, submitSignIn, javaScriptOn } from './helpers';
import { DEMO_USER, PROVIDER_URL, SITE1_URL, SITE2_URL } from './urls';

/**
 * The a11y.e2e.ts PAGES checks for a state that only this file can open (a key rotation):
 * axe in light and dark, at desktop and phone widths, and no sideways scrolling at 320 px.
 */
async function expectAccessibleEverywhere(page: Page, state: string): Promise<void> {
	if (!javaScriptOn()) return;
	for (const colorScheme of ['light', 'dark'] as const) {
		await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' });
		for (const { width, height } of [
			{ width: 1280, height: 800 },
			{ width: 390, height: 844 }
		]) {
			await page.setViewportSize({ width, height });
			await expectNoAxeViolations(page, `${state}, ${colorScheme}, ${width}px`);
		}
		await page.setViewportSize({ width: 320, height: 640 });
		expect(await page.evaluate(() => document.documentElement.scrollWidth), `${state}, ${colorScheme}: page width at 320px`).toBeLessThanOrEqual(320);
	}
	await page.setViewportSize({ width: 1280, height: 800 });
	await page.emulateMedia({ colorScheme: 'light' });
}
const diagnosis = (page: Page, scenario: string) => page.getByTestId(`diagnosis-${scenario}`);
const fact = (page: Page, scenario: string, name: string | RegExp) =>
	diagnosis(page, scenario)
		.getByRole('row')
		.filter({ has: page.getByRole('rowheader', { name }) })
		.getByRole('cell');

/** Signs in from the lab's own button and comes back to the lab. */
async function signInFromLab(page: Page, site = SITE1_URL): Promise<void> {
	await page.goto(`${site}/lab`);
	await page.getByRole('button', { name: 'Sign in with SSO' }).click();
	await submitSignIn(page, DEMO_USER.email, DEMO_USER.password);
	await expect(page).toHaveURL(`${site}/lab`);
	await expect(page.getByText('You are signed in')).toBeVisible();
}

test('the lab is linked from the inspector and home page, and asks a signed-out visitor to sign in first @forms', async ({ page }) => {
	await page.goto(`${SITE1_URL}/inspector`);
	await page.getByRole('link', { name: 'Common issues lab' }).click();
	await expect(page).toHaveURL(`${SITE1_URL}/lab`);
	await expect(page).toHaveTitle(/^Common issues lab — /);
	await expect(page.getByRole('heading', { level: 1, name: 'Common issues lab' })).toBeVisible();
	for (const name of [
		'1. The JWKS is empty',
		'2. "Invalid signature" when verifying',
		'3. Redirect URI mismatch',
		'4. Token expired',
		'5. A key rotated while the site caches the JWKS'
	]) {
		await expect(page.getByRole('heading', { level: 2, name })).toBeVisible();
	}
	// A token scenario without a sign-in: the reason beside its button, not an error page.
	await page.getByRole('button', { name: 'Verify with the clock past exp' }).click();
	await expect(page.locator('#token-expired').getByRole('alert')).toContainText('Sign in first');
	await expectAccessible(page, 'the lab, signed out');
	await page.goto(SITE1_URL);
	await expect(page.getByRole('link', { name: /Common issues lab/ })).toBeVisible();
});

test('empty JWKS, invalid signature (both ways) and token expired: each triggered and diagnosed @forms', async ({ page }) => {
	await signInFromLab(page);

	await test.step('1. empty JWKS: no applicable key, and what the provider publishes instead', async () => {
		await page.getByRole('button', { name: 'Verify against an empty JWKS' }).click();
		const result = diagnosis(page, 'empty-jwks');
		await expect(result.getByRole('heading', { level: 3 })).toHaveText('Diagnosis: the site refused the token');
		await expect(result.locator('pre')).toHaveText('ERR_JWKS_NO_MATCHING_KEY: no applicable key found in the JSON Web Key Set');
		await expect(fact(page, 'empty-jwks', 'JWKS the site verified against')).toHaveText(`${SITE1_URL}/lab/empty-jwks`);
		await expect(fact(page, 'empty-jwks', /Keys the provider publishes now/)).toHaveText(/^[1-9]\d*: /);
		await expect(result).toContainText('npm run keys -- list');
		await expect(result.getByRole('link', { name: 'RFC 7517 §5 (JWK Set)' })).toHaveAttribute('href', 'https://www.rfc-editor.org/rfc/rfc7517#section-5');
		await expectAccessible(page, 'the lab, empty JWKS diagnosed');
	});

	await test.step('2. one changed payload character: the signature check catches it (by keyboard)', async () => {
		const button = page.getByRole('button', { name: 'Change one character of the payload' });
		for (let presses = 0; presses < 80 && !(await button.evaluate((el) => el === document.activeElement)); presses++) await page.keyboard.press('Tab');
		await expect(button).toBeFocused();
		await expectVisibleFocus(page);
		await page.keyboard.press('Enter');
		const result = diagnosis(page, 'invalid-signature');
		await expect(result.locator('pre')).toHaveText('ERR_JWS_SIGNATURE_VERIFICATION_FAILED: signature verification failed');
		await expect(result).toContainText('Caught by the check: Signature verifies with that key.');
		await expect(fact(page, 'invalid-signature', 'Claim "email"')).toHaveText(/^demo@example\.com → demo@example\.cox$/);
		if (javaScriptOn()) await expect(result.getByRole('heading', { level: 3 })).toBeFocused();
		await expectAccessible(page, 'the lab, altered payload diagnosed');
	});

	await test.step('2. signed by a key the provider never published: same kid, signature fails', async () => {
		await page.getByRole('button', { name: 'Sign it with a key the provider never published' }).click();
		const result = diagnosis(page, 'invalid-signature');
		await expect(result.locator('pre')).toHaveText('ERR_JWS_SIGNATURE_VERIFICATION_FAILED: signature verification failed');
		await expect(fact(page, 'invalid-signature', 'Key that really signed (thumbprint)')).toHaveText(/^[\w-]{43}$/);
		await expect(result).toContainText('token signed with different key');
	});

	await test.step('4. token expired: exp, iat, the skew and the moved clock', async () => {
		await page.getByRole('button', { name: 'Verify with the clock past exp' }).click();
		const result = diagnosis(page, 'token-expired');
		await expect(result.locator('pre')).toHaveText('ERR_JWT_EXPIRED: "exp" claim timestamp check failed');
		await expect(fact(page, 'token-expired', 'Clock skew the site allows')).toHaveText('60 s');
		await expect(fact(page, 'token-expired', 'Lifetime (exp − iat)')).toHaveText('3600 s');
		await expect(fact(page, 'token-expired', 'Real time now')).toContainText('the token is still valid for');
		await expectAccessible(page, 'the lab, expired token diagnosed');
	});
});

test('3. redirect URI mismatch: the provider explains and stays put; back at the lab, the diagnosis @forms', async ({ page }) => {
	await page.goto(`${SITE2_URL}/lab`);
	await page.getByRole('button', { name: 'Send a sign-in request with an unregistered redirect_uri' }).click();
	await expect(page).toHaveURL(new RegExp(`^${PROVIDER_URL}/api/auth/authorize\\?`));
	await expect(page.getByRole('heading', { level: 1, name: 'Sign-in request rejected' })).toBeVisible();
	const developers = page.getByRole('region', { name: 'For developers' });
	await expect(developers).toContainText(`${SITE2_URL}/lab/unregistered-callback`);
	await expect(developers.getByRole('listitem').filter({ hasText: `${SITE2_URL}/auth/callback` })).toBeVisible();
	await page.goBack();
	await expect(page).toHaveURL(`${SITE2_URL}/lab`);
	// The back/forward cache may show the page as it was: the diagnosis is on a fresh load.
	await page.reload();
	const result = diagnosis(page, 'redirect-mismatch');
	await expect(fact(page, 'redirect-mismatch', 'redirect_uri sent')).toContainText(`${SITE2_URL}/lab/unregistered-callback`);
	await expect(fact(page, 'redirect-mismatch', 'redirect_uri this site registered')).toHaveText(`${SITE2_URL}/auth/callback`);
	await expect(result).toContainText('npm run clients -- add');
	await expectAccessible(page, 'the lab, redirect mismatch diagnosed');
});

test('5. a key rotated while the site caches the JWKS: unannounced, then published ahead @forms', async ({ page }) => {
	// An unannounced rotation right after a JWKS fetch is refused until jose's 30 s cooldown ends.
	test.setTimeout(180_000);
	await signInFromLab(page);
	const rotation = () => diagnosis(page, 'key-rotation');

	await test.step('unannounced: the new kid is not in the cached JWKS; the site refetches (after the cooldown) and succeeds', async () => {
		await page.getByRole('button', { name: 'Rotate without publishing ahead, then sign in' }).click();
		await expect(page).toHaveURL(`${SITE1_URL}/lab`);
		const newKid = (await fact(page, 'key-rotation', 'New key published').locator('code').textContent()) ?? '';
		expect(newKid).toMatch(/^[\w-]{43}$/);
		await expect(fact(page, 'key-rotation', 'kid of the new ID token').locator('code')).toHaveText(newKid);
		await expect(fact(page, 'key-rotation', "The site's cached JWKS before the rotation")).not.toContainText(newKid);
		await expect(fact(page, 'key-rotation', 'New key signs from')).toContainText('at once (not published ahead)');
		const refetch = fact(page, 'key-rotation', 'Did the site refetch the JWKS?');
		if ((await refetch.textContent())?.includes('cooldown')) {
			// What this run met: the site had fetched within 30 s, so jose refused the valid token.
			await expect(rotation().locator('pre')).toHaveText('ERR_JWKS_NO_MATCHING_KEY: no applicable key found in the JSON Web Key Set');
			await expectAccessibleEverywhere(page, 'the lab, rotation refused within the cooldown');
			const endsAt = await fact(page, 'key-rotation', 'Cooldown ends').locator('time').getAttribute('datetime');
			await page.waitForTimeout(Math.max(0, new Date(endsAt!).getTime() - Date.now()) + 1000);
			await page.getByRole('button', { name: 'Sign in again (same keys, new token)' }).click();
			await expect(rotation()).toContainText('Your first sign-in after the rotation');
		}
		await expect(refetch).toHaveText('yes: the kid was unknown');
		await expect(rotation().getByRole('heading', { level: 3 })).toHaveText('Diagnosis: the site accepted the token');
		await expect(rotation()).toContainText('OIDC Core §10.1.1');
		await expectAccessibleEverywhere(page, 'the lab, unannounced rotation diagnosed');
	});

	await test.step('published ahead: the kid is in the cache before it signs; no refetch', async () => {
		await page.getByRole('button', { name: 'Rotate publishing ahead, then sign in' }).click();
		await expect(page).toHaveURL(`${SITE1_URL}/lab`);
		await expect(page.getByText('Last run: rotated publishing ahead.')).toBeVisible();
		const newKid = (await fact(page, 'key-rotation', 'kid of the new ID token').locator('code').textContent()) ?? '';
		await expect(fact(page, 'key-rotation', /The site's cache refreshed/)).toContainText(newKid);
		await expect(fact(page, 'key-rotation', 'Did the site refetch the JWKS?')).toHaveText('no: cache hit');
		await expect(rotation().getByRole('heading', { level: 3 })).toHaveText('Diagnosis: the site accepted the token');
		await expectAccessibleEverywhere(page, 'the lab, rotation published ahead diagnosed');
	});
});
