import { beforeAll, describe, expect, it } from 'vitest';
import { createTestClient, createTestUser, TEST_REDIRECT_URI, type TestClient } from '../../../../tests/support/fixtures';
import { useTestDatabase } from '../../../../tests/support/database';
import { authorizationResponseURL, decideAuthorization, validateAuthorizationRequest, type AuthorizationRequest, type SignedInUser } from './authorize';
import { findConsentedScope, isCoveredByConsent, saveConsent } from './consent';
import { AccessDenied, InvalidScope } from './errors';
import { ACR } from '../auth/authentication-strength';

const database = useTestDatabase();
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
const ISSUER = 'https://op.example.com';

let confidential: TestClient;
let untrusted: TestClient;
let publicClient: TestClient;

beforeAll(async () => {
	confidential = await createTestClient(database.db, { trusted: true });
	untrusted = await createTestClient(database.db, { trusted: false });
	publicClient = await createTestClient(database.db, { public: true, trusted: false });
});

/** A valid request for `client`, with `overrides` applied (null removes a parameter). */
function query(client: { id: string }, overrides: Record<string, string | null> = {}): URLSearchParams {
	const params: Record<string, string | null> = {
		client_id: client.id,
		redirect_uri: TEST_REDIRECT_URI,
		response_type: 'code',
		scope: 'openid profile email',
		state: 'state-123',
		nonce: 'nonce-456',
		...overrides
	};
	const q = new URLSearchParams();
	for (const [k, v] of Object.entries(params)) if (v !== null) q.set(k, v);
	return q;
}

async function rejected(q: URLSearchParams) {
	const result = await validateAuthorizationRequest(database.db, q);
	if (!('rejected' in result)) throw new Error(`expected a rejection, got ${JSON.stringify(result)}`);
	return result.rejected;
}

async function accepted(q: URLSearchParams) {
	const result = await validateAuthorizationRequest(database.db, q);
	if (!('request' in result)) throw new Error(`expected success, got ${result.rejected.error.message}`);
	return result.request;
}

describe('validateAuthorizationRequest: client and redirect_uri first, never redirect before both are verified (RFC 6749 §4.1.2.1)', () => {
	it('missing client_id → invalid_request, shown to the user (no redirectURI)', async () => {
		const r = await rejected(query({ id: '' }, { client_id: null }));
		expect(r.error.code).toBe('invalid_request');
		expect(r.redirectURI).toBeUndefined();
	});

	it('unknown client → invalid_request without redirectURI or state', async () => {
		const r = await rejected(query({ id: 'no-such-client' }));
		expect(r.error.code).toBe('invalid_request');
		expect(r.error.description).toContain('no-such-client');
		expect(r.redirectURI).toBeUndefined();
		expect(r.state).toBeUndefined();
	});

	it('unknown client is reported before any other problem (response_type=token, no openid)', async () => {
		const r = await rejected(query({ id: 'no-such-client' }, { response_type: 'token', scope: 'profile' }));
		expect(r.error.code).toBe('invalid_request');
		expect(r.redirectURI).toBeUndefined();
	});

	it('missing redirect_uri → invalid_request without redirectURI (OIDC Core §3.1.2.1 makes it required)', async () => {
		const r = await rejected(query(confidential, { redirect_uri: null }));
		expect(r.error.code).toBe('invalid_request');
		expect(r.redirectURI).toBeUndefined();
	});

	it.each([
		['another host', 'https://evil.example.com/auth/callback'],
		['a trailing slash', TEST_REDIRECT_URI + '/'],
		['an extra query', TEST_REDIRECT_URI + '?x=1'],
		['another scheme', TEST_REDIRECT_URI.replace('https:', 'http:')],
		['upper-case path', TEST_REDIRECT_URI.toUpperCase()]
	])('unregistered redirect_uri (%s) → invalid_request without redirectURI: exact string match only', async (_, uri) => {
		const r = await rejected(query(confidential, { redirect_uri: uri, response_type: 'token' }));
		expect(r.error.code).toBe('invalid_request');
		expect(r.redirectURI).toBeUndefined();
		expect(r.state).toBeUndefined();
	});

	it('RFC 6749 §3.1: a repeated parameter → invalid_request', async () => {
		const q = query(confidential);
		q.append('state', 'second');
		const r = await rejected(q);
		expect(r.error.code).toBe('invalid_request');
		expect(r.error.description).toContain('state');
	});

	it('a repeated redirect_uri is never redirected to', async () => {
		const q = query(confidential);
		q.append('redirect_uri', 'https://evil.example.com/cb');
		const r = await rejected(q);
		expect(r.error.code).toBe('invalid_request');
		expect(r.redirectURI).toBeUndefined();
	});
});

describe('validateAuthorizationRequest: after client and redirect_uri are verified, errors go back to the client with state', () => {
	it('missing openid → invalid_scope, with redirectURI and state', async () => {
		const r = await rejected(query(confidential, { scope: 'profile email' }));
		expect(r.error).toBeInstanceOf(InvalidScope);
		expect(r.error.code).toBe('invalid_scope');
		expect(r.redirectURI).toBe(TEST_REDIRECT_URI);
		expect(r.state).toBe('state-123');
	});

	it('missing scope → invalid_scope', async () => {
		const r = await rejected(query(confidential, { scope: null }));
		expect(r.error.code).toBe('invalid_scope');
		expect(r.redirectURI).toBe(TEST_REDIRECT_URI);
	});

	it('response_type=token → unsupported_response_type (no implicit flow)', async () => {
		const r = await rejected(query(confidential, { response_type: 'token' }));
		expect(r.error.code).toBe('unsupported_response_type');
		expect(r.redirectURI).toBe(TEST_REDIRECT_URI);
		expect(r.state).toBe('state-123');
	});

	it.each(['id_token', 'code id_token', 'code token', 'none'])('response_type=%s → unsupported_response_type', async (type) => {
		expect((await rejected(query(confidential, { response_type: type }))).error.code).toBe('unsupported_response_type');
	});

	it('missing response_type → invalid_request', async () => {
		const r = await rejected(query(confidential, { response_type: null }));
		expect(r.error.code).toBe('invalid_request');
		expect(r.redirectURI).toBe(TEST_REDIRECT_URI);
	});

	it('request (a request object) → request_not_supported (OIDC Core §6)', async () => {
		const r = await rejected(query(confidential, { request: 'eyJhbGciOiJub25lIn0.e30.' }));
		expect(r.error.code).toBe('request_not_supported');
		expect(r.redirectURI).toBe(TEST_REDIRECT_URI);
		expect(r.state).toBe('state-123');
	});

	it('request_uri → request_uri_not_supported', async () => {
		const r = await rejected(query(confidential, { request_uri: 'https://rp.example.com/request.jwt' }));
		expect(r.error.code).toBe('request_uri_not_supported');
	});

	it('response_mode other than query → invalid_request', async () => {
		for (const mode of ['fragment', 'form_post']) {
			expect((await rejected(query(confidential, { response_mode: mode }))).error.code).toBe('invalid_request');
		}
	});

	it('RFC 9700 §2.1.1: code_challenge_method=plain is refused', async () => {
		const r = await rejected(query(confidential, { code_challenge: CHALLENGE, code_challenge_method: 'plain' }));
		expect(r.error.code).toBe('invalid_request');
		expect(r.redirectURI).toBe(TEST_REDIRECT_URI);
	});

	it('a code_challenge without a method defaults to plain (RFC 7636 §4.3) and is refused', async () => {
		const r = await rejected(query(confidential, { code_challenge: CHALLENGE }));
		expect(r.error.code).toBe('invalid_request');
	});

	it('a malformed S256 challenge is refused', async () => {
		for (const challenge of ['short', CHALLENGE + 'A', CHALLENGE.replace('-', '+')]) {
			const r = await rejected(query(confidential, { code_challenge: challenge, code_challenge_method: 'S256' }));
			expect(r.error.code).toBe('invalid_request');
		}
	});

	it('code_challenge_method without code_challenge is refused', async () => {
		expect((await rejected(query(confidential, { code_challenge_method: 'S256' }))).error.code).toBe('invalid_request');
	});

	it('RFC 9700 §2.1.1: a public client without code_challenge is refused', async () => {
		const r = await rejected(query(publicClient));
		expect(r.error.code).toBe('invalid_request');
		expect(r.error.description).toContain('code_challenge');
		expect(r.redirectURI).toBe(TEST_REDIRECT_URI);
	});

	it('a public client with an S256 challenge is accepted', async () => {
		const request = await accepted(query(publicClient, { code_challenge: CHALLENGE, code_challenge_method: 'S256' }));
		expect(request.codeChallenge).toBe(CHALLENGE);
	});

	it.each([
		['unknown value', 'select_account'],
		['none with login', 'none login']
	])('prompt (%s) → invalid_request', async (_, prompt) => {
		expect((await rejected(query(confidential, { prompt }))).error.code).toBe('invalid_request');
	});

	it.each(['-1', 'abc', '1.5', '1e3', ' 5', '9999999999'])('max_age=%j → invalid_request', async (maxAge) => {
		expect((await rejected(query(confidential, { max_age: maxAge }))).error.code).toBe('invalid_request');
	});

	it('a valid request is returned checked: known scopes only, state, nonce, PKCE, prompt, max_age, login_hint', async () => {
		const request = await accepted(
			query(confidential, {
				scope: 'email openid admin profile',
				code_challenge: CHALLENGE,
				code_challenge_method: 'S256',
				prompt: 'login consent',
				max_age: '300',
				login_hint: 'ada@example.com'
			})
		);
		expect(request.client.id).toBe(confidential.id);
		expect(request.redirectURI).toBe(TEST_REDIRECT_URI);
		expect(request.scope).toBe('openid profile email');
		expect(request.state).toBe('state-123');
		expect(request.nonce).toBe('nonce-456');
		expect(request.codeChallenge).toBe(CHALLENGE);
		expect([...request.prompt].sort()).toEqual(['consent', 'login']);
		expect(request.maxAge).toBe(300);
		expect(request.loginHint).toBe('ada@example.com');
	});

	it('state and nonce are optional; empty parameters count as absent', async () => {
		const request = await accepted(query(confidential, { state: null, nonce: '' }));
		expect(request.state).toBeUndefined();
		expect(request.nonce).toBeUndefined();
	});
});

describe('decideAuthorization (OIDC Core §3.1.2.3)', () => {
	const NOW = new Date('2026-01-15T10:00:00.000Z');
	const signedIn = (secondsAgo = 60): SignedInUser => ({ sessionId: 's1', userId: 'u1', authTime: new Date(NOW.getTime() - secondsAgo * 1000), amr: 'pwd' });
	const request = (client: TestClient, overrides: Partial<AuthorizationRequest> = {}): AuthorizationRequest => ({
		client,
		redirectURI: TEST_REDIRECT_URI,
		scope: 'openid profile email',
		state: 'xyz',
		prompt: new Set(),
		...overrides
	});

	it('not signed in → login', () => {
		expect(decideAuthorization(request(confidential), null, null, NOW)).toEqual({ next: 'login' });
	});

	it('not signed in with prompt=none → error login_required', () => {
		const d = decideAuthorization(request(confidential, { prompt: new Set(['none']) }), null, null, NOW);
		expect(d.next).toBe('error');
		expect(d.next === 'error' && d.error.code).toBe('login_required');
	});

	it('signed in, trusted client → issue-code (no consent page)', () => {
		expect(decideAuthorization(request(confidential), signedIn(), null, NOW)).toEqual({ next: 'issue-code' });
	});

	it('signed in with prompt=none, trusted client → issue-code silently', () => {
		expect(decideAuthorization(request(confidential, { prompt: new Set(['none']) }), signedIn(), null, NOW)).toEqual({ next: 'issue-code' });
	});

	it('prompt=login with a session → login again', () => {
		expect(decideAuthorization(request(confidential, { prompt: new Set(['login']) }), signedIn(), null, NOW)).toEqual({ next: 'login' });
	});

	it('max_age: elapsed time greater than max_age → login; equal or less → issue-code', () => {
		expect(decideAuthorization(request(confidential, { maxAge: 60 }), signedIn(61), null, NOW)).toEqual({ next: 'login' });
		expect(decideAuthorization(request(confidential, { maxAge: 60 }), signedIn(60), null, NOW)).toEqual({ next: 'issue-code' });
		expect(decideAuthorization(request(confidential, { maxAge: 60 }), signedIn(5), null, NOW)).toEqual({ next: 'issue-code' });
	});

	it('max_age exceeded with prompt=none → login_required', () => {
		const d = decideAuthorization(request(confidential, { maxAge: 10, prompt: new Set(['none']) }), signedIn(60), null, NOW);
		expect(d.next === 'error' && d.error.code).toBe('login_required');
	});

	it('untrusted client never consented → consent', () => {
		expect(decideAuthorization(request(untrusted), signedIn(), null, NOW)).toEqual({ next: 'consent' });
	});

	it('untrusted client with consent covering every scope → issue-code', () => {
		expect(decideAuthorization(request(untrusted), signedIn(), 'openid profile email offline_access', NOW)).toEqual({ next: 'issue-code' });
	});

	it('untrusted client asking for a scope beyond the consent → consent again', () => {
		expect(decideAuthorization(request(untrusted), signedIn(), 'openid profile', NOW)).toEqual({ next: 'consent' });
	});

	it('prompt=consent asks even when consent covers the request, and even for trusted clients', () => {
		expect(decideAuthorization(request(untrusted, { prompt: new Set(['consent']) }), signedIn(), 'openid profile email', NOW)).toEqual({ next: 'consent' });
		expect(decideAuthorization(request(confidential, { prompt: new Set(['consent']) }), signedIn(), null, NOW)).toEqual({ next: 'consent' });
	});

	it('untrusted client without consent and prompt=none → consent_required', () => {
		const d = decideAuthorization(request(untrusted, { prompt: new Set(['none']) }), signedIn(), null, NOW);
		expect(d.next === 'error' && d.error.code).toBe('consent_required');
	});

	it('login comes before consent: not signed in, untrusted → login', () => {
		expect(decideAuthorization(request(untrusted), null, null, NOW)).toEqual({ next: 'login' });
	});
});

describe('consent storage', () => {
	it('saveConsent merges with earlier consent; findConsentedScope returns the union', async () => {
		const user = await createTestUser(database.db);
		expect(await findConsentedScope(database.db, user.id, untrusted.id)).toBeNull();
		await saveConsent(database.db, user.id, untrusted.id, 'openid profile');
		await saveConsent(database.db, user.id, untrusted.id, 'openid email');
		const scope = await findConsentedScope(database.db, user.id, untrusted.id);
		expect(scope?.split(' ').sort()).toEqual(['email', 'openid', 'profile']);
		expect(isCoveredByConsent('openid profile email', scope)).toBe(true);
		expect(isCoveredByConsent('openid offline_access', scope)).toBe(false);
		expect(isCoveredByConsent('openid', null)).toBe(false);
	});
});

describe('authorizationResponseURL (RFC 6749 §4.1.2, RFC 9207)', () => {
	it('success carries code, state and iss', () => {
		const url = new URL(authorizationResponseURL(TEST_REDIRECT_URI, ISSUER, { code: 'abc' }, 'state-1'));
		expect(url.origin + url.pathname).toBe(TEST_REDIRECT_URI);
		expect(Object.fromEntries(url.searchParams)).toEqual({ code: 'abc', state: 'state-1', iss: ISSUER });
	});

	it('an error carries error, error_description, state and iss, and no code', () => {
		const url = new URL(authorizationResponseURL(TEST_REDIRECT_URI, ISSUER, { error: new AccessDenied() }, 'state-1'));
		expect(url.searchParams.get('error')).toBe('access_denied');
		expect(url.searchParams.get('error_description')).toBe('the user denied the request');
		expect(url.searchParams.get('state')).toBe('state-1');
		expect(url.searchParams.get('iss')).toBe(ISSUER);
		expect(url.searchParams.has('code')).toBe(false);
	});

	it('no state parameter when the request had none', () => {
		const url = new URL(authorizationResponseURL(TEST_REDIRECT_URI, ISSUER, { code: 'abc' }));
		expect(url.searchParams.has('state')).toBe(false);
		expect(url.searchParams.get('iss')).toBe(ISSUER);
	});

	it('keeps the query the redirect URI was registered with (RFC 6749 §3.1.2)', () => {
		const url = new URL(authorizationResponseURL('https://rp.example.com/cb?tenant=7', ISSUER, { code: 'abc' }, 's'));
		expect(url.searchParams.get('tenant')).toBe('7');
		expect(url.searchParams.get('code')).toBe('abc');
	});

	it('state is returned exactly, including characters that need encoding', () => {
		const state = 'a b&c=d/é?#';
		const url = new URL(authorizationResponseURL(TEST_REDIRECT_URI, ISSUER, { code: 'abc' }, state));
		expect(url.searchParams.get('state')).toBe(state);
	});
});

describe('acr_values and step-up (OIDC Core §3.1.2.1, §3.1.2.6)', () => {
	const NOW = new Date('2026-01-15T10:00:00.000Z');
	const session = (amr: string): SignedInUser => ({ sessionId: 's1', userId: 'u1', authTime: new Date(NOW.getTime() - 60_000), amr });
	const request = (acrValues: string[], prompt: AuthorizationRequest['prompt'] = new Set()): AuthorizationRequest => ({
		client: confidential,
		redirectURI: TEST_REDIRECT_URI,
		scope: 'openid',
		prompt,
		acrValues
	});
	const TOTP_ONLY = { totp: true, passkey: false };

	it('parses acr_values as a space-separated list in order; unknown values are kept, not errors', async () => {
		const accepted = await validateAuthorizationRequest(
			database.db,
			query(confidential, { acr_values: `${ACR.phishingResistant}  ${ACR.multiFactor} urn:unknown` })
		);
		expect('request' in accepted && accepted.request.acrValues).toEqual([ACR.phishingResistant, ACR.multiFactor, 'urn:unknown']);
	});

	it('a password session asked for multi-factor by a user with an authenticator app → step-up with the code', () => {
		expect(decideAuthorization(request([ACR.multiFactor]), session('pwd'), null, NOW, TOTP_ONLY)).toEqual({ next: 'step-up', via: 'totp' });
		expect(decideAuthorization(request([ACR.multiFactor]), session('fed'), null, NOW, TOTP_ONLY)).toEqual({ next: 'step-up', via: 'totp' });
	});

	it('a session that already meets a requested class → issue-code', () => {
		expect(decideAuthorization(request([ACR.multiFactor]), session('pwd otp mfa'), null, NOW, TOTP_ONLY)).toEqual({ next: 'issue-code' });
		expect(decideAuthorization(request([ACR.singleFactor]), session('pwd'), null, NOW, TOTP_ONLY)).toEqual({ next: 'issue-code' });
	});

	it('a user who cannot reach any requested class gets the code anyway (a voluntary request)', () => {
		expect(decideAuthorization(request([ACR.multiFactor]), session('pwd'), null, NOW)).toEqual({ next: 'issue-code' });
		expect(decideAuthorization(request([ACR.phishingResistant]), session('pwd otp mfa'), null, NOW, TOTP_ONLY)).toEqual({ next: 'issue-code' });
	});

	it('phishing-resistant for a user with a passkey → step-up with the passkey', () => {
		expect(decideAuthorization(request([ACR.phishingResistant]), session('pwd otp mfa'), null, NOW, { totp: true, passkey: true })).toEqual({
			next: 'step-up',
			via: 'passkey'
		});
	});

	it('prompt=none when a step-up is needed → login_required; when none is possible → issue-code', () => {
		const d = decideAuthorization(request([ACR.multiFactor], new Set(['none'])), session('pwd'), null, NOW, TOTP_ONLY);
		expect(d.next === 'error' && d.error.code).toBe('login_required');
		expect(decideAuthorization(request([ACR.multiFactor], new Set(['none'])), session('pwd'), null, NOW)).toEqual({ next: 'issue-code' });
	});

	it('login still comes first: prompt=login and max_age are decided before acr_values', () => {
		expect(decideAuthorization(request([ACR.multiFactor], new Set(['login'])), session('pwd'), null, NOW, TOTP_ONLY)).toEqual({ next: 'login' });
		expect(decideAuthorization({ ...request([ACR.multiFactor]), maxAge: 10 }, session('pwd'), null, NOW, TOTP_ONLY)).toEqual({ next: 'login' });
	});
});
