// Issue #6 finding 1: a shared response cache in front of the JWKS and discovery documents
// replayed one visitor's Set-Cookie (a renewed session, or the deletion of a stale one) to
// the next visitors. Public documents must do no session work, and nothing may replay
// per-user headers.
import { describe, expect, it } from 'vitest';
import { get, servers, signIn } from '../support/http';

const PUBLIC_DOCUMENTS = ['/api/auth/jwks', '/.well-known/openid-configuration'];

describe('public documents carry no per-user headers', () => {
	for (const path of PUBLIC_DOCUMENTS) {
		it(`GET ${path} with a stale session cookie answers without Set-Cookie, and so does the next visitor`, async () => {
			const url = `${servers().provider}${path}`;
			const attacker = await get(url, { cookie: 'op_session=bogus.bogus' });
			expect(attacker.status).toBe(200);
			expect(attacker.headers.getSetCookie()).toEqual([]);
			// The next visitor, without any cookie, within the former 5-second cache window.
			const visitor = await get(url);
			expect(visitor.status).toBe(200);
			expect(visitor.headers.getSetCookie()).toEqual([]);
		});

		it(`GET ${path}?query with a stale session cookie does no session work (no deletion sent)`, async () => {
			// A query string makes the request miss any cache: this is the document handler itself.
			const response = await get(`${servers().provider}${path}?v=${Math.random().toString(36).slice(2)}`, { cookie: 'op_session=bogus.bogus' });
			expect(response.status).toBe(200);
			expect(response.headers.getSetCookie()).toEqual([]);
		});

		it(`GET ${path} with a signed-in user's cookie never hands a cookie to anyone`, async () => {
			const cookie = await signIn();
			const url = `${servers().provider}${path}`;
			const user = await get(url, { cookie });
			expect(user.status).toBe(200);
			expect(user.headers.getSetCookie()).toEqual([]);
			const visitor = await get(url);
			expect(visitor.headers.getSetCookie()).toEqual([]);
			expect(visitor.headers.get('vary') ?? '').not.toMatch(/cookie/i);
		});
	}
});
