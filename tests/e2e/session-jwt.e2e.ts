import { expect, test } from '@playwright/test';
import { claim, scriptsLoaded, submitSignIn, welcome } from './helpers';
import { DEMO_USER, PROVIDER_URL, SITE1_URL } from './urls';

// Needs JavaScript (the page fetches the token itself), so not @forms.
test('site1 calls its API with a session JWT from the provider', async ({ page }) => {
	test.skip(
		new URL(SITE1_URL).hostname !== new URL(PROVIDER_URL).hostname,
		'the sites are on another site than the provider: the browser does not send the SameSite=Lax provider cookie with their fetch, so there is no session JWT to get'
	);
	await page.goto(SITE1_URL);
	await page.getByRole('button', { name: 'Sign in with SSO' }).click();
	await submitSignIn(page, DEMO_USER.email, DEMO_USER.password);
	await expect(page).toHaveURL(`${SITE1_URL}/`);
	await expect(welcome(page)).toBeVisible();
	const sub = await claim(page, 'sub').textContent();

	// The button only works once the page has hydrated.
	await scriptsLoaded(page);
	await page.getByRole('button', { name: 'Call the API with a session JWT' }).click();
	const status = page.getByRole('status');
	await expect(status).toContainText(`"email": "${DEMO_USER.email}"`);
	const whoami = JSON.parse((await status.textContent()) ?? '');
	expect(whoami).toMatchObject({ sub, email: DEMO_USER.email, name: DEMO_USER.name });
	// The token's `exp` (seconds): a short-lived token, 15 minutes.
	expect(whoami.expiresAt).toBeGreaterThan(Date.now() / 1000);
	expect(whoami.expiresAt).toBeLessThanOrEqual(Date.now() / 1000 + 15 * 60 + 5);
});
