import { describe, expect, it } from 'vitest';
import type { Client } from './clients';
import { decideEndSession, type EndSessionRequest } from './end-session';

const client = (selfRegistered: boolean): Client => ({
	id: selfRegistered ? 'anyone' : 'operator',
	name: 'App',
	redirectURIs: ['https://app.example/cb'],
	postLogoutRedirectURIs: ['https://app.example/'],
	tokenEndpointAuthMethod: 'client_secret_basic',
	backchannelLogoutURI: null,
	idTokenSignedResponseAlg: 'RS256',
	grantTypes: ['authorization_code'],
	logoURI: null,
	clientURI: null,
	policyURI: null,
	tosURI: null,
	trusted: false,
	selfRegistered,
	allowedScopes: [],
	allowedResources: []
});

const session = { id: 'current-session', userId: 'user-1' };
const TO = 'https://app.example/?state=s';
const request = (overrides: Partial<EndSessionRequest>): EndSessionRequest => ({ hint: null, client: client(false), redirectTo: TO, ...overrides });

describe('decideEndSession (RP-Initiated Logout 1.0 §2, §6; RFC 9700 §4.11.2)', () => {
	it('a hint for the current session and user signs out without asking, then redirects', () => {
		expect(decideEndSession(request({ hint: { sub: 'user-1', sid: 'current-session', aud: ['operator'] } }), session)).toEqual({
			next: 'sign-out',
			redirectTo: TO
		});
	});

	it('a hint from another (ended) session of the same user asks first', () => {
		expect(decideEndSession(request({ hint: { sub: 'user-1', sid: 'ended-session', aud: ['operator'] } }), session)).toEqual({ next: 'confirm-sign-out' });
	});

	it('a hint without sid, for another user, or no hint at all asks first', () => {
		for (const hint of [{ sub: 'user-1', aud: ['operator'] }, { sub: 'user-2', sid: 'current-session', aud: ['operator'] }, null]) {
			expect(decideEndSession(request({ hint }), session), JSON.stringify(hint)).toEqual({ next: 'confirm-sign-out' });
		}
	});

	it('nobody signed in, no hint: the destination is shown, never redirected to, whoever registered the client', () => {
		expect(decideEndSession(request({ client: client(false) }), null)).toEqual({ next: 'confirm-redirect', to: TO });
		expect(decideEndSession(request({ client: client(true) }), null)).toEqual({ next: 'confirm-redirect', to: TO });
	});

	it('nobody signed in, a valid hint: back to an operator-registered client at once; a self-registered one is asked about', () => {
		const hint = { sub: 'user-1', sid: 'old', aud: ['x'] };
		expect(decideEndSession(request({ hint, client: client(false) }), null)).toEqual({ next: 'redirect', to: TO });
		expect(decideEndSession(request({ hint, client: client(true) }), null)).toEqual({ next: 'confirm-redirect', to: TO });
	});

	it('nobody signed in and nowhere to go: the provider\'s own "signed out" page', () => {
		expect(decideEndSession(request({ redirectTo: null }), null)).toEqual({ next: 'done' });
	});
});
