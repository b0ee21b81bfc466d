// The demo sites as relying parties: each reaches the provider only over HTTP (discovery, token,
// JWKS), keeps its own session cookie, and single sign-on carries over to the second site.
import { describe, expect, it } from 'vitest';
import { cookieHeader, DEMO, get, postForm, servers, setCookie, signIn } from '../support/http';

const { provider, site1, site2 } = servers();
const BROWSER = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

/** A cookie jar per origin would be overkill: each test carries the few cookies it needs. */
async function signInToSite(site: string, providerCookie: string) {
	const cookieName = site === site1 ? 'rp_site1' : 'rp_site2';
	const start = await postForm(`${site}/auth/sign-in`, {}, BROWSER);
	expect(start.status).toBe(303);
	const authorize = new URL(start.headers.get('location')!);
	const flowCookie = cookieHeader(start, `${cookieName}_signin`);

	const answer = await get(authorize.href, { cookie: providerCookie, ...BROWSER });
	expect(answer.status).toBe(302);
	const callback = new URL(answer.headers.get('location')!);

	const finished = await get(callback.href, { cookie: flowCookie, ...BROWSER });
	return { start, authorize, callback, finished, sessionCookie: setCookie(finished, `${cookieName}_session`) };
}

describe('demo sites', () => {
	it.each([
		['site1', () => site1, 'Internal Dashboard'],
		['site2', () => site2, 'Team Wiki']
	])('%s: signed out, the home page has its title and "Sign in with SSO"', async (origin, url, title) => {
		const response = await get(`${url()}/`, BROWSER);
		expect(response.status).toBe(200);
		const html = await response.text();
		expect(html).toMatch(new RegExp(`<h1[^>]*>${title}</h1>`));
		expect(html).toContain('Sign in with SSO');
		expect(html).toContain(`data-origin="${origin}"`);
	});

	it("the provider's pages are not served on a site origin, and the sites' pages not on the provider", async () => {
		expect((await get(`${site1}/account`, BROWSER)).status).toBe(404);
		expect((await get(`${site1}/api/auth/token`, BROWSER)).status).toBe(404);
		expect((await get(`${provider}/auth/callback`, BROWSER)).status).toBe(404);
	});

	it('"Sign in with SSO" sends the browser to the provider\'s authorize endpoint with state, nonce and PKCE S256', async () => {
		const start = await postForm(`${site1}/auth/sign-in`, {}, BROWSER);
		expect(start.status).toBe(303);
		const url = new URL(start.headers.get('location')!);
		expect(url.origin + url.pathname).toBe(`${provider}/api/auth/authorize`);
		expect(url.searchParams.get('client_id')).toBe('internal-dashboard');
		expect(url.searchParams.get('redirect_uri')).toBe(`${site1}/auth/callback`);
		expect(url.searchParams.get('response_type')).toBe('code');
		expect(url.searchParams.get('scope')).toBe('openid profile email');
		expect(url.searchParams.get('code_challenge_method')).toBe('S256');
		for (const p of ['state', 'nonce', 'code_challenge']) expect(url.searchParams.get(p), p).toBeTruthy();
		const flow = setCookie(start, 'rp_site1_signin');
		const attributes = flow!.attributes.map((a) => a.toLowerCase());
		expect(attributes).toEqual(expect.arrayContaining(['httponly', 'samesite=lax', 'path=/', 'max-age=600']));
	});

	it('site1 signs the demo user in through the provider and shows "Welcome, Demo User" with the ID token claims', async () => {
		const { callback, finished, sessionCookie } = await signInToSite(site1, await signIn());
		expect(callback.origin + callback.pathname).toBe(`${site1}/auth/callback`);
		expect(callback.searchParams.get('iss')).toBe(provider);
		expect(finished.status).toBe(303);
		expect(finished.headers.get('location')).toBe('/');
		expect(sessionCookie).toBeTruthy();
		expect(sessionCookie!.attributes.map((a) => a.toLowerCase())).toEqual(expect.arrayContaining(['httponly', 'samesite=lax', 'path=/']));
		const home = await get(`${site1}/`, { cookie: `rp_site1_session=${sessionCookie!.value}`, ...BROWSER });
		const html = await home.text();
		expect(html).toContain('Welcome, Demo User');
		for (const claim of ['sub', 'email', 'name', 'iss', 'aud', 'nonce']) expect(html).toMatch(new RegExp(`<th[^>]*>${claim}</th>`));
		expect(html).toContain(DEMO.email);
		expect(html).toContain('Sign out of Internal Dashboard');
	});

	it('single sign-on: after site1, site2 signs in with the same provider session and no login page', async () => {
		const providerCookie = await signIn();
		await signInToSite(site1, providerCookie);
		const second = await signInToSite(site2, providerCookie);
		expect(second.callback.origin).toBe(site2);
		expect(second.callback.searchParams.get('code')).toBeTruthy();
		expect(second.sessionCookie).toBeTruthy();
		const home = await get(`${site2}/`, { cookie: `rp_site2_session=${second.sessionCookie!.value}`, ...BROWSER });
		expect(await home.text()).toContain('Welcome, Demo User');
	});

	it('a site session cookie of site1 means nothing to site2', async () => {
		const { sessionCookie } = await signInToSite(site1, await signIn());
		const home = await get(`${site2}/`, { cookie: `rp_site2_session=${sessionCookie!.value}`, ...BROWSER });
		expect(await home.text()).toContain('Sign in with SSO');
	});

	it('a callback with a wrong state renders "Sign-in failed" and creates no session', async () => {
		const start = await postForm(`${site1}/auth/sign-in`, {}, BROWSER);
		const flowCookie = cookieHeader(start, 'rp_site1_signin');
		const response = await get(`${site1}/auth/callback?code=abc&state=forged&iss=${encodeURIComponent(provider)}`, { cookie: flowCookie, ...BROWSER });
		expect(response.status).toBe(200);
		expect(await response.text()).toMatch(/<h1[^>]*>Sign-in failed<\/h1>/);
		expect(setCookie(response, 'rp_site1_session')).toBeUndefined();
	});

	it("a callback carrying the provider's error shows the reason", async () => {
		const start = await postForm(`${site1}/auth/sign-in`, {}, BROWSER);
		const authorize = new URL(start.headers.get('location')!);
		const state = authorize.searchParams.get('state')!;
		const response = await get(
			`${site1}/auth/callback?error=access_denied&error_description=${encodeURIComponent('the user denied the request')}` +
				`&state=${state}&iss=${encodeURIComponent(provider)}`,
			{ cookie: cookieHeader(start, 'rp_site1_signin'), ...BROWSER }
		);
		const html = await response.text();
		expect(html).toContain('Sign-in failed');
		expect(html).toContain('the user denied the request');
	});

	it('replaying a used callback URL (flow cookie gone, e.g. from history or another browser) fails', async () => {
		const { callback } = await signInToSite(site1, await signIn());
		const replay = await get(callback.href, BROWSER);
		expect(await replay.text()).toContain('Sign-in failed');
		expect(setCookie(replay, 'rp_site1_session')).toBeUndefined();
	});

	it('"Sign out of Internal Dashboard" ends only the site session', async () => {
		const providerCookie = await signIn();
		const { sessionCookie } = await signInToSite(site1, providerCookie);
		const cookie = `rp_site1_session=${sessionCookie!.value}`;
		const out = await postForm(`${site1}/auth/sign-out`, {}, { cookie, ...BROWSER });
		expect(out.status).toBe(303);
		expect(await (await get(`${site1}/`, { cookie, ...BROWSER })).text()).toContain('Sign in with SSO');
		expect(await (await get(`${provider}/api/auth/session`, { cookie: providerCookie })).json()).not.toBeNull();
	});
});
