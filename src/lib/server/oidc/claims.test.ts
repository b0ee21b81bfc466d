import { describe, expect, it } from 'vitest';
import { parseScope, SUPPORTED_CLAIMS, SUPPORTED_SCOPES, userClaims } from './claims';

const USER = { id: 'user-1', email: 'ada@example.com', emailVerified: true, name: 'Ada Lovelace' };

describe('parseScope (OIDC Core §3.1.2.1)', () => {
	it('requires openid: without it the request is not an OpenID request', () => {
		expect(parseScope(undefined)).toBeNull();
		expect(parseScope('')).toBeNull();
		expect(parseScope('profile email')).toBeNull();
		expect(parseScope('OpenID profile')).toBeNull();
		expect(parseScope('openid_x')).toBeNull();
	});

	it('drops unknown scopes instead of failing', () => {
		expect(parseScope('openid admin write:all')).toEqual(['openid']);
		expect(parseScope('openid profile unknown email')).toEqual(['openid', 'profile', 'email']);
	});

	it('returns known scopes once, in a stable order, whatever the request order or spacing', () => {
		expect(parseScope('email  openid profile email')).toEqual(['openid', 'profile', 'email']);
		expect(parseScope('offline_access openid')).toEqual(['openid', 'offline_access']);
	});

	it('supports exactly openid, profile, email and offline_access', () => {
		expect(SUPPORTED_SCOPES).toEqual(['openid', 'profile', 'email', 'offline_access']);
	});
});

describe('userClaims (OIDC Core §5.4 scope → claims)', () => {
	it('openid releases only sub', () => {
		expect(userClaims(USER, 'openid')).toEqual({ sub: 'user-1' });
	});

	it('profile releases name', () => {
		expect(userClaims(USER, 'openid profile')).toEqual({ sub: 'user-1', name: 'Ada Lovelace' });
	});

	it('email releases email and email_verified', () => {
		expect(userClaims(USER, 'openid email')).toEqual({ sub: 'user-1', email: 'ada@example.com', email_verified: true });
		expect(userClaims({ ...USER, emailVerified: false }, 'openid email')).toMatchObject({ email_verified: false });
	});

	it('openid profile email releases all of them; offline_access and unknown scopes release nothing', () => {
		expect(userClaims(USER, 'openid profile email offline_access admin')).toEqual({
			sub: 'user-1',
			name: 'Ada Lovelace',
			email: 'ada@example.com',
			email_verified: true
		});
	});

	it('every claim a scope can release is advertised in claims_supported', () => {
		const released = Object.keys(userClaims(USER, SUPPORTED_SCOPES.join(' ')));
		for (const claim of released) expect(SUPPORTED_CLAIMS).toContain(claim);
	});
});
