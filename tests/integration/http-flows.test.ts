// Browser-shaped flows over HTTP: the login form continuing an authorization request, prompt and
// max_age, return_to safety, sign-out. Form POSTs send a browser's Accept header, as a page would.
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import {
	authorizeURL,
	cookieHeader,
	DASHBOARD_CREDENTIALS,
	dashboardRequest,
	DEMO,
	get,
	postForm,
	servers,
	setCookie,
	signIn,
	signUp,
	signUpToken,
	tokenRequest
} from '../support/http';

const { provider, site1 } = servers();
const CALLBACK = `${site1}/auth/callback`;
const BROWSER = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

/** Submits the login form as a browser would (no JavaScript). */
function submitLogin(fields: Record<string, string>, cookie?: string) {
	return postForm(`${provider}/auth/login`, fields, { ...BROWSER, ...(cookie ? { cookie } : {}) });
}

/** Where a browser on the provider would go for this Location header. */
function destination(response: Response): URL {
	const location = response.headers.get('location');
	if (!location) throw new Error(`no Location (status ${response.status})`);
	return new URL(location, `${provider}/auth/login`);
}

/** Follows the provider's own redirects (login page, authorize) until one leaves the provider or a page renders. */
async function follow(start: string, cookie: string, limit = 6): Promise<{ response: Response; url: URL; hops: string[] }> {
	let url = new URL(start, provider);
	const hops: string[] = [];
	for (let i = 0; i < limit; i++) {
		const response = await get(url.href, { cookie, ...BROWSER });
		hops.push(`${response.status} ${url.pathname}${url.search.slice(0, 80)}`);
		if (response.status < 300 || response.status >= 400) return { response, url, hops };
		url = destination(response);
		if (url.origin !== provider) return { response, url, hops };
	}
	throw new Error(`redirect loop: ${hops.join(' → ')}`);
}

describe('the login page (/auth/login)', () => {
	it('renders the form: h1 "Sign in", Email and Password fields, "Create an account"', async () => {
		const response = await get(`${provider}/auth/login`, BROWSER);
		expect(response.status).toBe(200);
		const html = await response.text();
		expect(html).toMatch(/<h1[^>]*>Sign in<\/h1>/);
		expect(html).toMatch(/<label for="email">Email<\/label>/);
		expect(html).toMatch(/<label for="password">Password<\/label>/);
		expect(html).toContain('Create an account');
		expect(html).toContain('data-origin="provider"');
	});

	it('wrong credentials → the alert "Email or password is incorrect.", no session', async () => {
		const response = await submitLogin({ email: DEMO.email, password: 'wrong' });
		expect(response.status).toBe(400);
		expect(await response.text()).toContain('Email or password is incorrect.');
		expect(setCookie(response, 'op_session')).toBeUndefined();
	});

	it('empty fields → field errors next to the fields, aria-invalid', async () => {
		const response = await submitLogin({ email: '', password: '' });
		expect(response.status).toBe(400);
		const html = await response.text();
		expect(html).toContain('Enter your email address.');
		expect(html).toContain('Enter your password.');
		expect(html).toContain('aria-invalid="true"');
	});

	it('a cross-site form POST is refused (403)', async () => {
		const response = await postForm(
			`${provider}/auth/login`,
			{ email: DEMO.email, password: DEMO.password },
			{ ...BROWSER, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }
		);
		expect(response.status).toBe(403);
		expect(setCookie(response, 'op_session')).toBeUndefined();
	});

	it('signing in issues a NEW session id even if a session cookie was sent (no fixation)', async () => {
		const before = await signIn();
		const response = await submitLogin({ email: DEMO.email, password: DEMO.password }, before);
		expect(response.status).toBe(303);
		const after = cookieHeader(response, 'op_session');
		expect(after.split('=')[1].split('.')[0]).not.toBe(before.split('=')[1].split('.')[0]);
		expect(await (await get(`${provider}/api/auth/session`, { cookie: before })).json()).toBeNull();
	});
});

describe('the login form continues the authorization request', () => {
	it('signed out → login form → back to authorize → code for the client, with state and iss', async () => {
		const params = dashboardRequest();
		const first = await get(authorizeURL(params), BROWSER);
		expect(first.status).toBe(302);
		const login = destination(first);
		expect(login.pathname).toBe('/auth/login');
		const returnTo = login.searchParams.get('return_to')!;

		const submitted = await submitLogin({ email: DEMO.email, password: DEMO.password, return_to: returnTo });
		expect(submitted.status).toBe(303);
		expect(destination(submitted).href).toBe(new URL(returnTo, provider).href);
		const cookie = cookieHeader(submitted, 'op_session');

		const { url } = await follow(returnTo, cookie);
		expect(url.origin + url.pathname).toBe(CALLBACK);
		expect(url.searchParams.get('code')).toBeTruthy();
		expect(url.searchParams.get('state')).toBe(params.state);
		expect(url.searchParams.get('iss')).toBe(provider);
	});

	it('prompt=login: a signed-in user signs in again, then gets a code whose ID token has the new auth_time', async () => {
		const cookie = await signIn();
		await new Promise((r) => setTimeout(r, 1100));
		const first = await get(authorizeURL(dashboardRequest({ prompt: 'login' })), { cookie, ...BROWSER });
		const login = destination(first);
		expect(login.pathname).toBe('/auth/login');
		// The login page does not wave the user through on the existing session.
		const page = await get(login.href, { cookie, ...BROWSER });
		expect(page.status).toBe(200);
		const reloginAt = Math.floor(Date.now() / 1000);
		const submitted = await submitLogin({ email: DEMO.email, password: DEMO.password, return_to: login.searchParams.get('return_to')! }, cookie);
		const { url } = await follow(destination(submitted).href, cookieHeader(submitted, 'op_session'));
		const code = url.searchParams.get('code');
		expect(code, url.href).toBeTruthy();
		const tokens = (await (await tokenRequest({ grant_type: 'authorization_code', code: code!, redirect_uri: CALLBACK, ...DASHBOARD_CREDENTIALS })).json()) as {
			id_token: string;
		};
		expect(decodeJwt(tokens.id_token).auth_time).toBeGreaterThanOrEqual(reloginAt);
	});

	it('prompt=none with a session → a code without any page', async () => {
		const { url } = await follow(authorizeURL(dashboardRequest({ prompt: 'none' })), await signIn());
		expect(url.origin + url.pathname).toBe(CALLBACK);
		expect(url.searchParams.get('code')).toBeTruthy();
	});

	it("max_age larger than the session's age → a code without signing in again", async () => {
		const { url } = await follow(authorizeURL(dashboardRequest({ max_age: '3600' })), await signIn());
		expect(url.searchParams.get('code')).toBeTruthy();
	});

	it('max_age=0: after signing in again the request completes (no endless login loop)', async () => {
		const cookie = await signIn();
		const first = await get(authorizeURL(dashboardRequest({ max_age: '0' })), { cookie, ...BROWSER });
		const login = destination(first);
		expect(login.pathname).toBe('/auth/login');
		const submitted = await submitLogin({ email: DEMO.email, password: DEMO.password, return_to: login.searchParams.get('return_to')! }, cookie);
		expect(submitted.status).toBe(303);
		const back = await get(destination(submitted).href, { cookie: cookieHeader(submitted, 'op_session'), ...BROWSER });
		const next = destination(back);
		expect(next.pathname, `after a fresh sign-in the provider sent the user to ${next.href}`).not.toBe('/auth/login');
		expect(next.origin + next.pathname).toBe(CALLBACK);
		expect(next.searchParams.get('code')).toBeTruthy();
	});
});

describe('consent (prompt=consent)', () => {
	async function consentPage(cookie: string, params: Record<string, string>) {
		const first = await get(authorizeURL(params), { cookie, ...BROWSER });
		expect(first.status).toBe(302);
		const consent = destination(first);
		expect(consent.pathname).toBe('/auth/consent');
		return consent;
	}

	it('shows "Allow Internal Dashboard to use your account?" with Allow and Deny', async () => {
		const cookie = await signIn();
		const consent = await consentPage(cookie, dashboardRequest({ prompt: 'consent' }));
		const page = await get(consent.href, { cookie, ...BROWSER });
		expect(page.status).toBe(200);
		const html = await page.text();
		expect(html).toContain('Allow Internal Dashboard to use your account?');
		expect(html).toMatch(/<button[^>]*value="allow"[^>]*>Allow<\/button>/);
		expect(html).toMatch(/<button[^>]*value="deny"[^>]*>Deny<\/button>/);
	});

	it('Deny → back to the client with error=access_denied, state and iss', async () => {
		const cookie = await signIn();
		const params = dashboardRequest({ prompt: 'consent' });
		const consent = await consentPage(cookie, params);
		const response = await postForm(
			`${provider}/auth/consent`,
			{ return_to: consent.searchParams.get('return_to')!, decision: 'deny' },
			{ cookie, ...BROWSER }
		);
		expect(response.status).toBe(303);
		const back = destination(response);
		expect(back.origin + back.pathname).toBe(CALLBACK);
		expect(back.searchParams.get('error')).toBe('access_denied');
		expect(back.searchParams.get('state')).toBe(params.state);
		expect(back.searchParams.get('iss')).toBe(provider);
		expect(back.searchParams.has('code')).toBe(false);
	});

	it('Allow → the request continues and the client gets a code', async () => {
		const cookie = await signIn();
		const params = dashboardRequest({ prompt: 'consent' });
		const consent = await consentPage(cookie, params);
		const response = await postForm(
			`${provider}/auth/consent`,
			{ return_to: consent.searchParams.get('return_to')!, decision: 'allow' },
			{ cookie, ...BROWSER }
		);
		expect(response.status).toBe(303);
		const { url } = await follow(destination(response).href, cookie);
		expect(url.origin + url.pathname).toBe(CALLBACK);
		expect(url.searchParams.get('code')).toBeTruthy();
		expect(url.searchParams.get('state')).toBe(params.state);
	});

	it('a consent form posted from another site is refused (403)', async () => {
		const cookie = await signIn();
		const consent = await consentPage(cookie, dashboardRequest({ prompt: 'consent' }));
		const response = await postForm(
			`${provider}/auth/consent`,
			{ return_to: consent.searchParams.get('return_to')!, decision: 'allow' },
			{ cookie, ...BROWSER, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }
		);
		expect(response.status).toBe(403);
	});

	it('a consent form whose return_to is not an authorization request is refused (400)', async () => {
		const response = await postForm(`${provider}/auth/consent`, { return_to: '/account', decision: 'allow' }, { cookie: await signIn(), ...BROWSER });
		expect(response.status).toBe(400);
	});
});

describe('return_to never leaves the provider (no open redirect)', () => {
	it.each([['//evil.com'], ['/\\evil.com'], ['https://evil.com'], ['javascript:alert(1)'], ['/.//evil.com'], ['/a/..//evil.com'], ['/%2e//evil.com']])(
		'signed in, GET /auth/login?return_to=%s stays on the provider',
		async (returnTo) => {
			const response = await get(`${provider}/auth/login?return_to=${encodeURIComponent(returnTo)}`, { cookie: await signIn(), ...BROWSER });
			expect(response.status).toBe(303);
			expect(destination(response).origin, response.headers.get('location')!).toBe(provider);
		}
	);

	it.each([['//evil.com'], ['/.//evil.com'], ['/a/..//evil.com']])('POST /auth/login with return_to=%s stays on the provider', async (returnTo) => {
		const response = await submitLogin({ email: DEMO.email, password: DEMO.password, return_to: returnTo });
		expect(response.status).toBe(303);
		expect(destination(response).origin, response.headers.get('location')!).toBe(provider);
	});
});

describe('sign-up form and sign-out', () => {
	it('the sign-up form answers an existing email exactly like a new one: "Check your inbox", no session', async () => {
		const response = await postForm(`${provider}/auth/signup`, { name: 'Someone', email: DEMO.email, password: 'TestPass123!' }, BROWSER);
		expect(response.status).toBe(303);
		expect(response.headers.get('location')).toBe(`/auth/signup/check-inbox?${new URLSearchParams({ email: DEMO.email })}`);
		expect(setCookie(response, 'op_session')).toBeUndefined();
		const page = await (await get(`${provider}${response.headers.get('location')}`, BROWSER)).text();
		expect(page).toContain('Check your inbox');
		expect(page).toContain(DEMO.email);
	});

	it('the sign-up form sends a link; confirming it signs the new user in and goes to /account', async () => {
		const email = `form-${Date.now()}@example.com`;
		const submitted = await postForm(`${provider}/auth/signup`, { name: 'Form User', email, password: 'TestPass123!' }, BROWSER);
		expect(submitted.status).toBe(303);
		expect(destination(submitted).pathname).toBe('/auth/signup/check-inbox');
		expect(setCookie(submitted, 'op_session')).toBeUndefined();
		const token = await signUpToken(servers().mailDir, email);
		const response = await postForm(`${provider}/auth/verify-email`, { token }, { ...BROWSER, origin: provider });
		expect(response.status).toBe(303);
		expect(destination(response).pathname).toBe('/account');
		const account = await get(`${provider}/account`, { cookie: cookieHeader(response, 'op_session'), ...BROWSER });
		const html = await account.text();
		expect(html).toContain('Your account');
		expect(html).toContain(email);
	});

	it('POST /auth/logout ends the session and clears the cookie', async () => {
		const user = await signUp('Logout User');
		const response = await postForm(`${provider}/auth/logout`, {}, { cookie: user.cookie, ...BROWSER });
		expect(response.status).toBe(303);
		expect(destination(response).pathname).toBe('/auth/logout/done');
		expect(setCookie(response, 'op_session')?.value ?? '').toBe('');
		expect(await (await get(`${provider}/api/auth/session`, { cookie: user.cookie })).json()).toBeNull();
	});
});
