// The browser's side of a sign-in at an upstream, over plain HTTP against a production server
// that is configured with the fakes of fake-upstreams.js: start at the provider, answer the
// fake's consent form, come back to the callback. Each step returns what a browser would hold.
import { expect } from 'vitest';
import { startFakeGitHub, startFakeOIDC } from './fake-upstreams.js';

export { startFakeGitHub, startFakeOIDC };
export type FakeGitHub = Awaited<ReturnType<typeof startFakeGitHub>>;
export type FakeOIDC = Awaited<ReturnType<typeof startFakeOIDC>>;

export const HTML = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

/** Who signs in at the upstream (the fake's consent form). */
export interface UpstreamAccount {
	login: string;
	name?: string;
	email: string;
	/** true: the upstream verified the address; a string is sent as the OIDC claim's value. */
	verified: boolean | string;
}

/** `name=value` pairs of every Set-Cookie of a response that sets (not deletes) a cookie. */
export function cookiesSet(response: Response): Map<string, string> {
	const jar = new Map<string, string>();
	for (const raw of response.headers.getSetCookie()) {
		const [pair, ...attributes] = raw.split(';').map((s) => s.trim());
		const eq = pair.indexOf('=');
		const expired = attributes.some((a) => /^max-age=0$/i.test(a) || /^expires=thu, 01 jan 1970/i.test(a));
		if (!expired && pair.slice(eq + 1) !== '') jar.set(pair.slice(0, eq), pair.slice(eq + 1));
	}
	return jar;
}

export const cookieHeader = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');

/** GET /auth/upstream/<id>: the redirect to the upstream and the flow cookie it set. */
export async function startUpstreamSignIn(provider: string, id: string, returnTo?: string): Promise<{ upstreamURL: URL; flowCookie: string }> {
	const response = await fetch(`${provider}/auth/upstream/${id}${returnTo ? `?return_to=${encodeURIComponent(returnTo)}` : ''}`, {
		headers: HTML,
		redirect: 'manual'
	});
	expect(response.status, await response.clone().text()).toBe(302);
	const flow = [...cookiesSet(response)].find(([name]) => name.endsWith('op_upstream_flow'));
	expect(flow, 'flow cookie').toBeTruthy();
	return { upstreamURL: new URL(response.headers.get('location')!), flowCookie: `${flow![0]}=${flow![1]}` };
}

/** Submits the fake's consent form (as its page would); returns the callback URL it redirects to. */
export async function answerConsent(upstreamURL: URL, answer: UpstreamAccount | 'deny'): Promise<string> {
	const form = new URLSearchParams(upstreamURL.searchParams);
	if (answer === 'deny') form.set('decision', 'deny');
	else {
		form.set('decision', 'allow');
		form.set('login', answer.login);
		form.set('name', answer.name ?? '');
		form.set('email', answer.email);
		if (answer.verified === true) form.set('verified', 'on');
		else if (typeof answer.verified === 'string') form.set('verified', answer.verified);
	}
	const response = await fetch(upstreamURL.origin + upstreamURL.pathname, { method: 'POST', body: form, redirect: 'manual' });
	expect(response.status).toBe(302);
	return response.headers.get('location')!;
}

/** The browser arriving back at the provider's callback, with the cookies it holds. */
export function openCallback(callbackURL: string, cookie?: string): Promise<Response> {
	return fetch(callbackURL, { headers: { ...HTML, ...(cookie ? { cookie } : {}) }, redirect: 'manual' });
}

/** Start, consent, callback: the callback's response. */
export async function upstreamSignIn(provider: string, id: string, account: UpstreamAccount | 'deny', returnTo?: string): Promise<Response> {
	const { upstreamURL, flowCookie } = await startUpstreamSignIn(provider, id, returnTo);
	return openCallback(await answerConsent(upstreamURL, account), flowCookie);
}

/** The provider session cookie a response set, as a Cookie header, or undefined. */
export function sessionCookieOf(response: Response): string | undefined {
	const value = cookiesSet(response).get('op_session');
	return value ? `op_session=${value}` : undefined;
}

/** The pending-link cookie a response set, as a Cookie header. */
export function linkCookieOf(response: Response): string {
	const value = cookiesSet(response).get('op_upstream_link');
	expect(value, `link cookie in ${JSON.stringify(response.headers.getSetCookie())}`).toBeTruthy();
	return `op_upstream_link=${value}`;
}

/** A unique address and login per call. */
export function uniqueAccount(label: string, verified: boolean | string = true): UpstreamAccount {
	const suffix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
	return { login: `${label}-${suffix}`, name: `${label} ${suffix}`, email: `${label}-${suffix}@example.com`, verified };
}
