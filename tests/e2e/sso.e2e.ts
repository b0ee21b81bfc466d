import { expect, test, type Request } from '@playwright/test';
import { claim, originAndPath, recordNavigation, submitSignIn } from './helpers';
import { DEMO_USER, PROVIDER_URL, SITE1_URL, SITE2_URL } from './urls';

const LOGIN_PAGE = `${PROVIDER_URL}/auth/login`;

// @forms: the whole flow is plain form posts and redirects, so it must work without JavaScript.
test('single sign-on: site1 asks for the password once, site2 signs in without it', { tag: '@forms' }, async ({ page, context }) => {
	const nav = recordNavigation(page);

	await test.step('site1 sends the user to the provider to sign in', async () => {
		await page.goto(SITE1_URL);
		await expect(page.getByRole('heading', { level: 1, name: 'Internal Dashboard' })).toBeVisible();
		await expect(page.locator('html')).toHaveAttribute('data-origin', 'site1');
		await page.getByRole('button', { name: 'Sign in with SSO' }).click();
		await expect(page).toHaveURL((url) => originAndPath(url.href) === LOGIN_PAGE);
		await expect(page.locator('html')).toHaveAttribute('data-origin', 'provider');
	});

	await test.step('after signing in as the demo user, site1 shows the verified claims', async () => {
		await submitSignIn(page, DEMO_USER.email, DEMO_USER.password);
		await expect(page).toHaveURL(`${SITE1_URL}/`);
		await expect(page.getByRole('heading', { level: 2, name: `Welcome, ${DEMO_USER.name}` })).toBeVisible();
		await expect(claim(page, 'email')).toHaveText(DEMO_USER.email);
		await expect(claim(page, 'name')).toHaveText(DEMO_USER.name);
		await expect(claim(page, 'iss')).toHaveText(PROVIDER_URL);
		await expect(claim(page, 'aud')).toHaveText('internal-dashboard');
		await expect(claim(page, 'sub')).not.toBeEmpty();
		await expect(claim(page, 'nonce')).not.toBeEmpty();
	});
	const subOnSite1 = await claim(page, 'sub').textContent();

	await test.step("site2 does not pick up site1's session", async () => {
		const cookieHeaders: string[] = [];
		const onRequest = async (request: Request) => {
			if (new URL(request.url()).origin === SITE2_URL) cookieHeaders.push((await request.allHeaders()).cookie ?? '');
		};
		page.on('request', onRequest);
		await page.goto(SITE2_URL);
		page.off('request', onRequest);
		await expect(page.getByRole('heading', { level: 1, name: 'Team Wiki' })).toBeVisible();
		await expect(page.locator('html')).toHaveAttribute('data-origin', 'site2');
		await expect(page.getByRole('button', { name: 'Sign in with SSO' })).toBeVisible();
		await expect(page.getByRole('heading', { name: /^Welcome/ })).toHaveCount(0);
		await expect(page.getByRole('banner')).not.toContainText('Signed in as');
		// Cookies ignore ports, so the browser may send site1's cookie to site2 on the same
		// host; what matters is that site2 has no session of its own and does not honour it.
		expect(cookieHeaders.length).toBeGreaterThan(0);
		for (const header of cookieHeaders) expect(header).not.toMatch(/(^|;\s*)rp_site2_session=/);
		// With the sites on another host than the provider, the provider's cookies never reach them.
		if (new URL(SITE2_URL).hostname !== new URL(PROVIDER_URL).hostname) {
			for (const header of cookieHeaders) expect(header).not.toMatch(/(^|;\s*)op_/);
		}
	});

	await test.step('site2 signs in through the provider without showing the login page', async () => {
		nav.reset();
		await page.getByRole('button', { name: 'Sign in with SSO' }).click();
		await expect(page).toHaveURL(`${SITE2_URL}/`);
		await expect(page.getByRole('heading', { level: 2, name: `Welcome, ${DEMO_USER.name}` })).toBeVisible();
		await expect(claim(page, 'email')).toHaveText(DEMO_USER.email);
		await expect(claim(page, 'iss')).toHaveText(PROVIDER_URL);
		await expect(claim(page, 'aud')).toHaveText('team-wiki');
		await expect(claim(page, 'sub')).toHaveText(subOnSite1 ?? '');
		// It did go through the provider's authorization endpoint ...
		expect(nav.requested.map(originAndPath)).toContain(`${PROVIDER_URL}/api/auth/authorize`);
		// ... and the login page never appeared, not even as a redirect hop.
		expect(nav.committed.map(originAndPath)).not.toContain(LOGIN_PAGE);
		expect(nav.requested.map(originAndPath)).not.toContain(LOGIN_PAGE);
	});

	await test.step('signing out of site1 leaves site2 signed in', async () => {
		await page.goto(SITE1_URL);
		await expect(page.getByRole('heading', { level: 2, name: `Welcome, ${DEMO_USER.name}` })).toBeVisible();
		await page.getByRole('button', { name: 'Sign out of Internal Dashboard' }).click();
		await expect(page).toHaveURL(`${SITE1_URL}/`);
		await expect(page.getByRole('button', { name: 'Sign in with SSO' })).toBeVisible();
		await expect(page.getByRole('heading', { name: /^Welcome/ })).toHaveCount(0);

		await page.goto(SITE2_URL);
		await expect(page.getByRole('heading', { level: 2, name: `Welcome, ${DEMO_USER.name}` })).toBeVisible();
		await expect(claim(page, 'aud')).toHaveText('team-wiki');
		expect((await context.cookies(SITE2_URL)).map((c) => c.name)).toContain('rp_site2_session');
	});
});

test('site session cookies are httpOnly and SameSite=Lax', { tag: '@forms' }, async ({ page, context }) => {
	await page.goto(SITE1_URL);
	await page.getByRole('button', { name: 'Sign in with SSO' }).click();
	await submitSignIn(page, DEMO_USER.email, DEMO_USER.password);
	await expect(page.getByRole('heading', { level: 2, name: `Welcome, ${DEMO_USER.name}` })).toBeVisible();
	const cookies = await context.cookies(SITE1_URL);
	const session = cookies.find((c) => c.name === 'rp_site1_session');
	expect(session, 'rp_site1_session cookie').toBeDefined();
	expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/', domain: new URL(SITE1_URL).hostname });
	// The one-time flow cookie (state, nonce, PKCE verifier) is gone after the callback.
	expect(cookies.map((c) => c.name)).not.toContain('rp_site1_signin');
});
