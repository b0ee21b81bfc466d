import { describe, expect, it } from 'vitest';
import { OAuthError } from './errors';
import { Scopes } from './scopes';

describe('Scopes (RFC 6749 §3.3: space-delimited, case-sensitive words)', () => {
	it('parses the written form, dropping empty words and repeats, keeping request order', () => {
		const scopes = Scopes.parse(' email  openid profile email ');
		expect([...scopes]).toEqual(['email', 'openid', 'profile']);
		expect(scopes.size).toBe(3);
		expect(scopes.toString()).toBe('email openid profile');
		expect(JSON.stringify({ scope: scopes })).toBe('{"scope":"email openid profile"}');
	});

	it('nothing, null and an empty string are the empty set', () => {
		for (const value of [undefined, null, '', '   ']) expect(Scopes.parse(value).size).toBe(0);
		expect(Scopes.parse(undefined).toString()).toBe('');
	});

	it('has compares whole, case-sensitive words', () => {
		const scopes = Scopes.parse('openid offline_access_x');
		expect(scopes.has('openid')).toBe(true);
		expect(scopes.has('OpenID')).toBe(false);
		expect(scopes.has('offline_access')).toBe(false);
	});

	it('from takes either form and returns parsed Scopes as they are', () => {
		const scopes = Scopes.parse('openid');
		expect(Scopes.from(scopes)).toBe(scopes);
		expect(Scopes.from('openid profile').toString()).toBe('openid profile');
		expect(Scopes.of(['openid', '', 'openid', 'email']).toString()).toBe('openid email');
	});

	it('covers: every word of the other is here', () => {
		const consented = Scopes.parse('openid profile email');
		expect(consented.covers(Scopes.parse('openid email'))).toBe(true);
		expect(consented.covers(Scopes.parse('openid profile_admin'))).toBe(false);
		expect(Scopes.parse('openid').covers(Scopes.parse('openid offline_access'))).toBe(false);
	});

	it('union keeps this order, then the new words', () => {
		expect(Scopes.parse('openid profile').union(Scopes.parse('email openid')).toString()).toBe('openid profile email');
	});

	it('filter keeps the words that pass, in order', () => {
		expect(
			Scopes.parse('openid api:read email')
				.filter((s) => s.includes(':'))
				.toString()
		).toBe('api:read');
	});

	it('narrow (RFC 6749 §6): no request keeps the grant; fewer is allowed; more is invalid_scope naming the word', () => {
		const granted = Scopes.parse('openid profile offline_access');
		expect(granted.narrow(undefined)).toBe(granted);
		expect(granted.narrow(Scopes.parse('profile openid')).toString()).toBe('profile openid');
		let error: unknown;
		try {
			granted.narrow(Scopes.parse('openid email'));
		} catch (e) {
			error = e;
		}
		expect(error).toBeInstanceOf(OAuthError);
		expect((error as OAuthError).code).toBe('invalid_scope');
		expect((error as OAuthError).description).toBe('scope "email" was not granted');
	});
});
