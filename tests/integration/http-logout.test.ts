// Signing out over HTTP: the provider's sign-out reaches both demo sites by back-channel, and
// RP-initiated logout (/api/auth/end-session) asks, redirects or refuses as the spec says.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { basicAuthorization, cookieHeader, DASHBOARD, get, postForm, postJSON, servers, setCookie, signIn, signUp } from '../support/http';

const { provider, site1, site2 } = servers();
const BROWSER = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

/** Signs in to a demo site through the provider as a browser would; returns the site's session cookie header. */
async function signInToSite(site: string, providerCookie: string): Promise<string> {
	const cookieName = site === site1 ? 'rp_site1' : 'rp_site2';
	const start = await postForm(`${site}/auth/sign-in`, {}, BROWSER);
	expect(start.status).toBe(303);
	const answer = await get(start.headers.get('location')!, { cookie: providerCookie, ...BROWSER });
	expect(answer.status).toBe(302);
	const finished = await get(answer.headers.get('location')!, { cookie: cookieHeader(start, `${cookieName}_signin`), ...BROWSER });
	expect(finished.status).toBe(303);
	return cookieHeader(finished, `${cookieName}_session`);
}

async function sitePage(site: string, cookie: string): Promise<string> {
	return (await get(`${site}/`, { cookie, ...BROWSER })).text();
}

async function providerSession(cookie: string): Promise<unknown> {
	return (await get(`${provider}/api/auth/session`, { cookie })).json();
}

/** The ID token a site holds is not exposed; get one for the demo user from the token endpoint instead. */
async function idTokenFor(providerCookie: string, clientId: string = DASHBOARD.id, secret: string = DASHBOARD.secret): Promise<string> {
	const redirectURI = `${clientId === 'internal-dashboard' ? site1 : site2}/auth/callback`;
	const authorizeParams = new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: redirectURI, scope: 'openid', state: 's' });
	const authorize = await get(`${provider}/api/auth/authorize?${authorizeParams}`, { cookie: providerCookie });
	const code = new URL(authorize.headers.get('location')!).searchParams.get('code')!;
	const tokens = await postForm(`${provider}/api/auth/token`, {
		grant_type: 'authorization_code',
		code,
		redirect_uri: redirectURI,
		client_id: clientId,
		client_secret: secret
	});
	return ((await tokens.json()) as { id_token: string }).id_token;
}

const endSessionURL = (params: Record<string, string>) => `${provider}/api/auth/end-session?${new URLSearchParams(params)}`;

describe('back-channel logout over HTTP', () => {
	it('signing out at the provider (POST /auth/logout) signs the user out of both demo sites', async () => {
		const providerCookie = await signIn();
		const site1Cookie = await signInToSite(site1, providerCookie);
		const site2Cookie = await signInToSite(site2, providerCookie);
		expect(await sitePage(site1, site1Cookie)).toContain('Welcome, Demo User');
		expect(await sitePage(site2, site2Cookie)).toContain('Welcome, Demo User');

		const out = await postForm(`${provider}/auth/logout`, {}, { cookie: providerCookie, origin: provider, ...BROWSER });
		expect(out.status).toBe(303);
		expect(out.headers.get('location')).toBe('/auth/logout/done');

		for (const [site, cookie] of [
			[site1, site1Cookie],
			[site2, site2Cookie]
		]) {
			const html = await sitePage(site, cookie);
			expect(html, site).toContain('Sign in with SSO');
			expect(html, site).not.toContain('Welcome, Demo User');
		}
		expect(await providerSession(providerCookie)).toBeNull();
	});

	it('only the sessions of THAT provider session end: the same user signed in from another browser stays signed in', async () => {
		const browserA = await signIn();
		const browserB = await signIn();
		const site1A = await signInToSite(site1, browserA);
		const site1B = await signInToSite(site1, browserB);
		await postForm(`${provider}/auth/logout`, {}, { cookie: browserA, origin: provider, ...BROWSER });
		expect(await sitePage(site1, site1A)).toContain('Sign in with SSO');
		expect(await sitePage(site1, site1B)).toContain('Welcome, Demo User');
		expect(await providerSession(browserB)).not.toBeNull();
	});

	it('"Sign out everywhere" on site1: RP-initiated logout with id_token_hint → back to site1, provider and site2 signed out', async () => {
		const providerCookie = await signIn();
		const site1Cookie = await signInToSite(site1, providerCookie);
		const site2Cookie = await signInToSite(site2, providerCookie);

		const everywhere = await postForm(`${site1}/auth/sign-out-everywhere`, {}, { cookie: site1Cookie, ...BROWSER });
		expect(everywhere.status).toBe(303);
		const endSession = new URL(everywhere.headers.get('location')!);
		expect(endSession.origin + endSession.pathname).toBe(`${provider}/api/auth/end-session`);
		expect(endSession.searchParams.get('id_token_hint')).toBeTruthy();
		expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(`${site1}/`);

		const answer = await get(endSession.href, { cookie: providerCookie, ...BROWSER });
		expect(answer.status).toBe(302);
		expect(answer.headers.get('location')).toBe(`${site1}/`);
		expect(await providerSession(providerCookie)).toBeNull();
		expect(await sitePage(site1, site1Cookie)).toContain('Sign in with SSO');
		expect(await sitePage(site2, site2Cookie)).toContain('Sign in with SSO');
	});

	it("a registered client's own back-channel endpoint receives a logout token it can verify through the JWKS", async () => {
		// A stand-in for a third-party relying party: a loopback HTTP server recording what the provider POSTs.
		const received: { contentType: string | undefined; body: string }[] = [];
		const rp = createServer((req, res) => {
			let body = '';
			req.on('data', (chunk) => (body += chunk));
			req.on('end', () => {
				received.push({ contentType: req.headers['content-type'], body });
				res.writeHead(200).end();
			});
		});
		await new Promise<void>((resolve) => rp.listen(0, '127.0.0.1', resolve));
		try {
			const redirectURI = 'http://127.0.0.1:9/cb';
			const registration = await postJSON(`${provider}/api/auth/register`, {
				redirect_uris: [redirectURI],
				backchannel_logout_uri: `http://127.0.0.1:${(rp.address() as AddressInfo).port}/backchannel`
			});
			expect(registration.status).toBe(201);
			const { client_id, client_secret } = (await registration.json()) as { client_id: string; client_secret: string };

			const cookie = await signIn();
			const authorizeParams = new URLSearchParams({ client_id, redirect_uri: redirectURI, response_type: 'code', scope: 'openid', state: 's' });
			const authorize = `/api/auth/authorize?${authorizeParams}`;
			const allow = await postForm(`${provider}/auth/consent`, { return_to: authorize, decision: 'allow' }, { cookie, origin: provider, ...BROWSER });
			expect(allow.status).toBe(303);
			const answer = await get(`${provider}${authorize}`, { cookie, ...BROWSER });
			const code = new URL(answer.headers.get('location')!).searchParams.get('code')!;
			const tokens = await postForm(
				`${provider}/api/auth/token`,
				{ grant_type: 'authorization_code', code, redirect_uri: redirectURI },
				{ authorization: basicAuthorization(client_id, client_secret) }
			);
			const sid = decodeJwt(((await tokens.json()) as { id_token: string }).id_token).sid;
			expect(sid).toBeTypeOf('string');

			await postForm(`${provider}/auth/logout`, {}, { cookie, origin: provider, ...BROWSER });
			expect(received).toHaveLength(1);
			expect(received[0].contentType).toMatch(/^application\/x-www-form-urlencoded/);
			const logoutToken = new URLSearchParams(received[0].body).get('logout_token')!;
			const jwks = createRemoteJWKSet(new URL(`${provider}/api/auth/jwks`));
			const { payload, protectedHeader } = await jwtVerify(logoutToken, jwks, { issuer: provider, audience: client_id, typ: 'logout+jwt' });
			expect(protectedHeader.typ).toBe('logout+jwt');
			expect(payload.sid).toBe(sid);
			expect(payload.events).toEqual({ 'http://schemas.openid.net/event/backchannel-logout': {} });
			expect(payload).not.toHaveProperty('nonce');
		} finally {
			await new Promise<void>((resolve) => rp.close(() => resolve()));
		}
	});

	it('a cross-site POST to /auth/logout is refused (403) and signs nobody out', async () => {
		const providerCookie = await signIn();
		const response = await postForm(
			`${provider}/auth/logout`,
			{},
			{ cookie: providerCookie, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', ...BROWSER }
		);
		expect(response.status).toBe(403);
		expect(await providerSession(providerCookie)).not.toBeNull();
	});

	it("a demo site's back-channel endpoint refuses a missing or invalid logout token with 400 JSON", async () => {
		for (const body of [{}, { logout_token: 'garbage' }] as Record<string, string>[]) {
			const response = await postForm(`${site1}/auth/backchannel-logout`, body);
			expect(response.status, JSON.stringify(body)).toBe(400);
			expect(response.headers.get('cache-control')).toBe('no-store');
			expect(((await response.json()) as { error: string }).error).toBe('invalid_request');
		}
	});

	it('an ID token posted as a logout token is refused (400): it is not a logout+jwt', async () => {
		const providerCookie = await signIn();
		const site1Cookie = await signInToSite(site1, providerCookie);
		const response = await postForm(`${site1}/auth/backchannel-logout`, { logout_token: await idTokenFor(providerCookie) });
		expect(response.status).toBe(400);
		expect(await sitePage(site1, site1Cookie)).toContain('Welcome, Demo User');
	});
});

describe('RP-initiated logout: GET /api/auth/end-session', () => {
	it('signed in, no id_token_hint → 200 confirmation page (h1 "Sign out?"), and the session is still alive', async () => {
		const cookie = await signIn();
		const response = await get(endSessionURL({}), { cookie, ...BROWSER });
		expect(response.status).toBe(200);
		const html = await response.text();
		expect(html).toMatch(/<h1[^>]*>Sign out\?<\/h1>/);
		expect(html).toContain('Stay signed in');
		expect(html).toMatch(/<form[^>]*action="\/auth\/logout"/);
		expect(setCookie(response, 'op_session')).toBeUndefined();
		expect(await providerSession(cookie)).not.toBeNull();
	});

	it('the confirmation page names the client; confirming signs out and returns to the registered URI with state', async () => {
		const cookie = await signIn();
		const query = { client_id: 'internal-dashboard', post_logout_redirect_uri: `${site1}/`, state: 'after-logout' };
		const page = await get(endSessionURL(query), { cookie, ...BROWSER });
		expect(page.status).toBe(200);
		const html = await page.text();
		expect(html).toContain('Internal Dashboard asks to sign you out.');
		const logoutRequest = html.match(/name="logout_request" value="([^"]*)"/)?.[1]?.replace(/&amp;/g, '&');
		expect(logoutRequest).toBeTruthy();

		const confirmed = await postForm(`${provider}/auth/logout`, { logout_request: logoutRequest! }, { cookie, origin: provider, ...BROWSER });
		expect(confirmed.status).toBe(303);
		expect(confirmed.headers.get('location')).toBe(`${site1}/?state=after-logout`);
		expect(await providerSession(cookie)).toBeNull();
	});

	it('an id_token_hint for ANOTHER user than the signed-in one asks first and signs nobody out', async () => {
		const demoHint = await idTokenFor(await signIn());
		const other = await signUp();
		const response = await get(endSessionURL({ id_token_hint: demoHint, post_logout_redirect_uri: `${site1}/` }), { cookie: other.cookie, ...BROWSER });
		expect(response.status).toBe(200);
		expect(await response.text()).toMatch(/<h1[^>]*>Sign out\?<\/h1>/);
		expect(await providerSession(other.cookie)).not.toBeNull();
	});

	it('an unregistered post_logout_redirect_uri → 400 error page, no Location, session kept', async () => {
		const cookie = await signIn();
		const hint = await idTokenFor(cookie);
		const queries: Record<string, string>[] = [
			{ id_token_hint: hint, post_logout_redirect_uri: 'https://evil.example/' },
			{ client_id: 'internal-dashboard', post_logout_redirect_uri: `${site2}/` },
			{ post_logout_redirect_uri: `${site1}/` }
		];
		for (const query of queries) {
			const response = await get(endSessionURL(query), { cookie, ...BROWSER });
			expect(response.status, JSON.stringify(query)).toBe(400);
			expect(response.headers.get('location')).toBeNull();
			expect(await response.text()).toMatch(/<h1[^>]*>Sign-out request rejected<\/h1>/);
		}
		expect(await providerSession(cookie)).not.toBeNull();
	});

	it('not signed in, no hint: a page names the registered URI (with state) and links there; nothing to go to → /auth/logout/done', async () => {
		// RFC 9700 §4.11.2: without an id_token_hint nothing says the client sent the user here.
		const toSite = await get(endSessionURL({ client_id: 'team-wiki', post_logout_redirect_uri: `${site2}/`, state: 'st' }), BROWSER);
		expect(toSite.status).toBe(200);
		expect(toSite.headers.get('location')).toBeNull();
		const html = await toSite.text();
		expect(html).toMatch(/<h1[^>]*>You are signed out<\/h1>/);
		expect(html).toContain(`<strong>${new URL(site2).host}</strong>`);
		expect(html).toContain(`href="${site2}/?state=st"`);
		const done = await get(endSessionURL({}), BROWSER);
		expect(done.status).toBe(302);
		expect(done.headers.get('location')).toBe('/auth/logout/done');
		const page = await get(`${provider}/auth/logout/done`, BROWSER);
		expect(await page.text()).toMatch(/<h1[^>]*>You are signed out<\/h1>/);
	});

	it('not signed in, with a valid hint from an operator-registered client: straight back to its registered URI', async () => {
		const hint = await idTokenFor(await signIn());
		const response = await get(endSessionURL({ id_token_hint: hint, post_logout_redirect_uri: `${site1}/`, state: 'st' }), BROWSER);
		expect(response.status).toBe(302);
		expect(response.headers.get('location')).toBe(`${site1}/?state=st`);
	});

	it('POST (form) with a valid hint signs out at once and answers 303 to the registered URI with state', async () => {
		const cookie = await signIn();
		const hint = await idTokenFor(cookie);
		const response = await postForm(
			`${provider}/api/auth/end-session`,
			{ id_token_hint: hint, post_logout_redirect_uri: `${site1}/`, state: 'posted' },
			{ cookie, origin: site1, ...BROWSER }
		);
		expect(response.status).toBe(303);
		expect(response.headers.get('location')).toBe(`${site1}/?state=posted`);
		expect(await providerSession(cookie)).toBeNull();
	});

	it('POST without a hint while signed in leads to the confirmation page; the session stays', async () => {
		const cookie = await signIn();
		const response = await postForm(
			`${provider}/api/auth/end-session`,
			{ client_id: 'internal-dashboard', post_logout_redirect_uri: `${site1}/` },
			{ cookie, origin: site1, ...BROWSER }
		);
		expect(response.status).toBe(303);
		const confirm = await get(new URL(response.headers.get('location')!, provider).href, { cookie, ...BROWSER });
		expect(confirm.status).toBe(200);
		expect(await confirm.text()).toMatch(/<h1[^>]*>Sign out\?<\/h1>/);
		expect(await providerSession(cookie)).not.toBeNull();
	});

	it('confirming a logout request whose post_logout_redirect_uri is unregistered → 400, and the session stays', async () => {
		const cookie = await signIn();
		const logoutRequest = new URLSearchParams({ client_id: 'internal-dashboard', post_logout_redirect_uri: 'https://evil.example/' }).toString();
		const response = await postForm(`${provider}/auth/logout`, { logout_request: logoutRequest }, { cookie, origin: provider, ...BROWSER });
		expect(response.status).toBe(400);
		expect(response.headers.get('location')).toBeNull();
		expect(await providerSession(cookie)).not.toBeNull();
	});

	it('a hint from an earlier sign-in of the same user does not end the current session unasked: it asks (the hint names another sid)', async () => {
		const earlier = await signIn();
		const hint = await idTokenFor(earlier);
		const cookie = await signIn();
		const response = await get(endSessionURL({ id_token_hint: hint, post_logout_redirect_uri: `${site1}/` }), { cookie, ...BROWSER });
		expect(response.status).toBe(200);
		expect(await response.text()).toMatch(/<h1[^>]*>Sign out\?<\/h1>/);
		expect(await providerSession(cookie)).not.toBeNull();
		expect(await providerSession(earlier)).not.toBeNull();
	});
});
