import { expect, inject } from 'vitest';
import { DEMO_SITES, DEMO_USER } from '../../src/lib/demo-data';
import { readMail } from './mail-sink';

/** The running production build (see server.global-setup.ts). */
export function servers() {
	return { provider: inject('providerURL'), site1: inject('site1URL'), site2: inject('site2URL'), driver: inject('serverDriver'), mailDir: inject('mailDir') };
}

/** The demo user that the server seeds (src/lib/demo-data.ts). */
export const DEMO = DEMO_USER;
/**
 * Registered for client_secret_post (the curl commands of the guide the project grew from,
 * docs/the-guide.md); Basic is refused (RFC 7591 §2).
 */
export const DASHBOARD = { id: DEMO_SITES.site1.clientId, secret: DEMO_SITES.site1.clientSecret } as const;
/** Registered for client_secret_basic; a secret in the body is refused. */
export const WIKI = { id: DEMO_SITES.site2.clientId, secret: DEMO_SITES.site2.clientSecret } as const;
/** The dashboard's client authentication, as form fields (client_secret_post). */
export const DASHBOARD_CREDENTIALS = { client_id: DASHBOARD.id, client_secret: DASHBOARD.secret } as const;

/** A unique email per call, so parallel test files never collide. */
export function uniqueEmail(prefix = 'http'): string {
	return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.com`;
}

/** `name=value` of the Set-Cookie for `name`, with its attributes; undefined if not set. */
export function setCookie(response: Response, name: string): { value: string; attributes: string[]; raw: string } | undefined {
	for (const raw of response.headers.getSetCookie()) {
		const [pair, ...attributes] = raw.split(';').map((s) => s.trim());
		const eq = pair.indexOf('=');
		if (pair.slice(0, eq) === name) return { value: pair.slice(eq + 1), attributes, raw };
	}
	return undefined;
}

/** A Cookie request header from the named Set-Cookie of a response. */
export function cookieHeader(response: Response, name: string): string {
	const cookie = setCookie(response, name);
	if (!cookie) throw new Error(`no ${name} cookie in ${JSON.stringify(response.headers.getSetCookie())}`);
	return `${name}=${cookie.value}`;
}

export function postJSON(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
	return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), redirect: 'manual' });
}

export function postForm(url: string, body: Record<string, string> | URLSearchParams | string, headers: Record<string, string> = {}): Promise<Response> {
	const text = typeof body === 'string' ? body : new URLSearchParams(body).toString();
	return fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: text, redirect: 'manual' });
}

export function get(url: string, headers: Record<string, string> = {}): Promise<Response> {
	return fetch(url, { headers, redirect: 'manual' });
}

/** Signs in with the JSON endpoint; returns the Cookie header for op_session. */
export async function signIn(email: string = DEMO.email, password: string = DEMO.password): Promise<string> {
	const response = await postJSON(`${servers().provider}/api/auth/sign-in/email`, { email, password });
	if (response.status !== 200) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
	return cookieHeader(response, 'op_session');
}

/**
 * Signs up a fresh user the way a person does: the JSON sign-up, the mailed link, its
 * "Confirm and sign in" form. Returns the user's credentials, Cookie header and id.
 */
export async function signUp(name = 'HTTP Test User') {
	const email = uniqueEmail();
	const password = 'TestPass123!';
	const response = await postJSON(`${servers().provider}/api/auth/sign-up/email`, { email, password, name });
	if (response.status !== 202) throw new Error(`sign-up failed: ${response.status} ${await response.text()}`);
	const cookie = await confirmSignUpLink(servers().provider, servers().mailDir, email);
	const session = (await (await get(`${servers().provider}/api/auth/session`, { cookie })).json()) as { user: { id: string } } | null;
	if (!session) throw new Error(`the confirmed sign-up of ${email} has no session`);
	return { email, password, name, cookie, body: { user: { id: session.user.id } } };
}

/** The token in the newest sign-up confirmation mail to `email` (at `mailDir`). */
export async function signUpToken(mailDir: string, email: string): Promise<string> {
	const mail = await readMail(mailDir, email, { subject: /^Confirm your email address/ });
	const link = mail.links.find((l) => new URL(l).pathname === '/auth/verify-email');
	const token = link && new URL(link).searchParams.get('token');
	if (!token) throw new Error(`no confirmation link in the mail to ${email}: ${mail.text}`);
	return token;
}

/** Confirms the mailed sign-up link of `email` as the browser's button does; returns the new session's Cookie header. */
export async function confirmSignUpLink(provider: string, mailDir: string, email: string): Promise<string> {
	const token = await signUpToken(mailDir, email);
	const response = await postForm(`${provider}/auth/verify-email`, { token }, { origin: provider, accept: 'text/html' });
	if (response.status !== 303) throw new Error(`confirming the sign-up of ${email} answered ${response.status}`);
	return cookieHeader(response, 'op_session');
}

export function authorizeURL(params: Record<string, string>): string {
	return `${servers().provider}/api/auth/authorize?${new URLSearchParams(params)}`;
}

/** The demo dashboard's standard request (the guide's URL plus state and nonce). */
export function dashboardRequest(overrides: Record<string, string> = {}): Record<string, string> {
	return {
		client_id: DASHBOARD.id,
		response_type: 'code',
		redirect_uri: `${servers().site1}/auth/callback`,
		scope: 'openid profile email',
		state: `state-${Math.random().toString(36).slice(2)}`,
		nonce: `nonce-${Math.random().toString(36).slice(2)}`,
		...overrides
	};
}

/** Runs the authorization request with a session cookie and returns the redirect's query. */
export async function authorizeWith(cookie: string, params: Record<string, string>): Promise<URL> {
	const response = await get(authorizeURL(params), { cookie });
	const location = response.headers.get('location');
	if (response.status !== 302 || !location) throw new Error(`authorize answered ${response.status} ${location ?? (await response.text()).slice(0, 300)}`);
	return new URL(location, servers().provider);
}

/** A fresh authorization code for the demo user (or `cookie`'s user). */
export async function codeFor(params: Record<string, string> = dashboardRequest(), cookie?: string): Promise<string> {
	const location = await authorizeWith(cookie ?? (await signIn()), params);
	const code = location.searchParams.get('code');
	if (!code) throw new Error(`no code in ${location.href}`);
	return code;
}

export { basicAuthorization } from './basic-auth';

export function tokenRequest(body: Record<string, string> | string, headers: Record<string, string> = {}): Promise<Response> {
	return postForm(`${servers().provider}/api/auth/token`, body, headers);
}

/** RFC 6749 §5.2 (and RFC 7591 §3.2.2): a JSON error body that no cache keeps. */
export async function expectOAuthError(response: Response, status: number, error: string) {
	expect(response.status).toBe(status);
	expect(response.headers.get('content-type')).toMatch(/^application\/json/);
	expect(response.headers.get('cache-control')).toBe('no-store');
	const body = (await response.json()) as Record<string, unknown>;
	expect(body.error).toBe(error);
	expect(body.error_description).toBeTypeOf('string');
	return body;
}

/**
 * The demo dashboard's tokens for the demo user on a server of the test's own (`provider`,
 * `site1`): a real sign-in, authorization request and code exchange.
 */
export async function dashboardTokensAt(provider: string, site1: string): Promise<{ access_token: string; id_token: string; refresh_token?: string }> {
	const signIn = await postJSON(`${provider}/api/auth/sign-in/email`, { email: DEMO.email, password: DEMO.password });
	expect(signIn.status).toBe(200);
	const params = dashboardRequest({ redirect_uri: `${site1}/auth/callback` });
	const authorize = await get(`${provider}/api/auth/authorize?${new URLSearchParams(params)}`, { cookie: cookieHeader(signIn, 'op_session') });
	const code = new URL(authorize.headers.get('location') ?? '', provider).searchParams.get('code');
	expect(code, `authorize answered ${authorize.status}`).toBeTruthy();
	const response = await postForm(`${provider}/api/auth/token`, {
		grant_type: 'authorization_code',
		code: code!,
		redirect_uri: `${site1}/auth/callback`,
		...DASHBOARD_CREDENTIALS
	});
	expect(response.status).toBe(200);
	return (await response.json()) as { access_token: string; id_token: string; refresh_token?: string };
}
