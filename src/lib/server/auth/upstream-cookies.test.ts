import type { Cookies } from '@sveltejs/kit';
import { describe, expect, it } from 'vitest';
import { readLinkCookie, setFlowCookie, setLinkCookie, signInHref, takeFlowCookie } from './upstream-cookies';

/** Records what a route would send, and answers reads from what it set. */
function cookieJar() {
	const set: { name: string; value: string; options: Record<string, unknown> }[] = [];
	const deleted: { name: string; options: Record<string, unknown> }[] = [];
	const values = new Map<string, string>();
	const cookies = {
		get: (name: string) => values.get(name),
		getAll: () => [...values].map(([name, value]) => ({ name, value })),
		set: (name: string, value: string, options: Record<string, unknown>) => {
			set.push({ name, value, options });
			values.set(name, value);
		},
		delete: (name: string, options: Record<string, unknown>) => {
			deleted.push({ name, options });
			values.delete(name);
		},
		serialize: () => ''
	} as unknown as Cookies;
	return { cookies, set, deleted, values };
}

const FLOW = { state: 's', codeVerifier: 'v', nonce: 'n' };

describe('upstream flow and link cookies', () => {
	it('on http: bare names, httpOnly, SameSite=Lax, scoped to the callback, 10 minutes', () => {
		const jar = cookieJar();
		setFlowCookie(jar.cookies, 'github', { flow: FLOW, returnTo: '/account' }, false);
		expect(jar.set[0]).toMatchObject({
			name: 'op_upstream_flow',
			options: { path: '/auth/upstream/github/callback', httpOnly: true, sameSite: 'lax', secure: false, maxAge: 600 }
		});
	});

	it('on https: the __Secure- prefix (a plain-http response cannot set it) and Secure', () => {
		const jar = cookieJar();
		setFlowCookie(jar.cookies, 'google', { flow: FLOW, returnTo: null }, true);
		setLinkCookie(jar.cookies, { token: 't', returnTo: null }, true);
		expect(jar.set.map((c) => [c.name, c.options.secure])).toEqual([
			['__Secure-op_upstream_flow', true],
			['__Secure-op_upstream_link', true]
		]);
	});

	it('the flow is read once (deleted on read) and a tampered return_to is dropped', () => {
		const jar = cookieJar();
		setFlowCookie(jar.cookies, 'github', { flow: FLOW, returnTo: '//evil.example' }, false);
		expect(takeFlowCookie(jar.cookies, 'github', false)).toEqual({ flow: FLOW, returnTo: null });
		expect(jar.deleted[0]).toMatchObject({ name: 'op_upstream_flow', options: { path: '/auth/upstream/github/callback' } });
		expect(takeFlowCookie(jar.cookies, 'github', false)).toBeNull();
	});

	it('malformed cookies read as none', () => {
		const jar = cookieJar();
		for (const raw of ['{', '5', 'null', '{"flow":{"state":1}}', '{"token":5}']) {
			jar.values.set('op_upstream_flow', raw);
			jar.values.set('op_upstream_link', raw);
			expect(takeFlowCookie(jar.cookies, 'github', false)).toBeNull();
			expect(readLinkCookie(jar.cookies, false)).toBeNull();
		}
	});

	it('the way back keeps return_to', () => {
		expect(signInHref('/api/auth/authorize?a=1&b=2')).toBe('/auth/login?return_to=%2Fapi%2Fauth%2Fauthorize%3Fa%3D1%26b%3D2');
		expect(signInHref(null)).toBe('/auth/login');
	});
});
