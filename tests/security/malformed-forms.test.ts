// Issue #6 finding 10: a malformed multipart/form-data body to a form page answered 500 (the
// framework's parser threw inside the action). Every form route answers 400 instead, and a
// well-formed multipart body (what `use:enhance` sends) still works.
import { describe, expect, it } from 'vitest';
import { DEMO, servers, signIn } from '../support/http';

const FORM_PAGES = [
	'/auth/login',
	'/auth/signup',
	'/auth/logout',
	'/auth/consent',
	'/api/auth/authorize',
	'/api/auth/end-session',
	'/auth/forgot-password',
	'/auth/reset-password',
	'/account/email',
	'/account/email/confirm'
];
const SIGNED_IN_PAGES = new Set(['/auth/logout', '/auth/consent', '/account/email', '/account/email/confirm']);

// What an attacker (or a broken client) can send with a multipart content type.
const MALFORMED: Record<string, { type: string; body: string }> = {
	'no boundary parameter': { type: 'multipart/form-data', body: 'email=a&password=b' },
	'a boundary that never appears': { type: 'multipart/form-data; boundary=----abc', body: 'garbage without any boundary line' },
	'an unterminated part': { type: 'multipart/form-data; boundary=xyz', body: '--xyz\r\nContent-Disposition: form-data; name="email"\r\n\r\nunterminated' },
	'a part without headers': { type: 'multipart/form-data; boundary=xyz', body: '--xyz\r\n\r\n\r\n--xyz--\r\n' }
};

describe('malformed multipart bodies on form routes answer 400, never 500', () => {
	for (const path of FORM_PAGES) {
		for (const [name, { type, body }] of Object.entries(MALFORMED)) {
			it(`POST ${path} with ${name}: 400`, async () => {
				const { provider } = servers();
				const cookie = SIGNED_IN_PAGES.has(path) ? await signIn() : '';
				const response = await fetch(`${provider}${path}`, {
					method: 'POST',
					headers: { 'content-type': type, origin: provider, ...(cookie ? { cookie } : {}) },
					body,
					redirect: 'manual'
				});
				expect(response.status).toBe(400);
			});
		}
	}

	it('a well-formed multipart sign-in (what use:enhance sends) still signs in', async () => {
		const { provider } = servers();
		const body = new FormData();
		body.set('email', DEMO.email);
		body.set('password', DEMO.password);
		const response = await fetch(`${provider}/auth/login`, { method: 'POST', headers: { origin: provider }, body, redirect: 'manual' });
		expect(response.status).toBe(303);
		expect(response.headers.getSetCookie().some((c) => c.startsWith('op_session='))).toBe(true);
	});
});
