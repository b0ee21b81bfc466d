// The relying party's token checks, against a JWKS served over real HTTP (createRemoteJWKSet),
// as the demo sites fetch it from the provider. The keys here are the test's own: rp/ must not
// reach into the provider's modules.
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT, type CryptoKey, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveJWKS, type JWKSServer } from '../../../../tests/support/jwks-server';
import { accessTokenHash } from './at-hash';
import { FlowRecorder } from './flow-trace';
import { verifyIDToken, verifyLogoutToken, verifySessionJWT } from './verify';

const ISSUER = 'https://op.example.com';
const CLIENT_ID = 'internal-dashboard';
const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

let server: JWKSServer;
let rsa: { privateKey: CryptoKey; kid: string };
let ec: { privateKey: CryptoKey; kid: string };
let ed: { privateKey: CryptoKey; kid: string };

beforeAll(async () => {
	const rsaPair = await generateKeyPair('RS256', { extractable: true });
	const ecPair = await generateKeyPair('ES256', { extractable: true });
	const edPair = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
	ed = { privateKey: edPair.privateKey, kid: 'ed-1' };
	rsa = { privateKey: rsaPair.privateKey, kid: 'rsa-1' };
	ec = { privateKey: ecPair.privateKey, kid: 'ec-1' };
	const jwks = JSON.stringify({
		keys: [
			{ ...(await exportJWK(rsaPair.publicKey)), kid: rsa.kid, alg: 'RS256', use: 'sig' },
			{ ...(await exportJWK(ecPair.publicKey)), kid: ec.kid, alg: 'ES256', use: 'sig' },
			{ ...(await exportJWK(edPair.publicKey)), kid: ed.kid, alg: 'EdDSA', use: 'sig' }
		]
	});
	server = await serveJWKS(() => jwks);
});

afterAll(async () => {
	await server?.close();
});

const now = () => Math.floor(Date.now() / 1000);

interface TokenOptions {
	claims?: JWTPayload;
	typ?: string | null;
	key?: { privateKey: CryptoKey; kid: string };
	alg?: 'RS256' | 'ES256' | 'EdDSA';
	omit?: string[];
}

/** A JWT signed by one of the published keys; `claims` override the defaults, `omit` removes them. */
async function sign(defaults: JWTPayload, { claims = {}, typ, key = rsa, alg = 'RS256', omit = [] }: TokenOptions = {}): Promise<string> {
	const payload: JWTPayload = { ...defaults, ...claims };
	for (const name of omit) delete payload[name];
	const header: Record<string, unknown> = { alg, kid: key.kid };
	if (typ !== null && typ !== undefined) header.typ = typ;
	return new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(key.privateKey);
}

function logoutToken(options: TokenOptions = {}): Promise<string> {
	const iat = now();
	return sign(
		{ iss: ISSUER, aud: CLIENT_ID, sub: 'user-1', sid: 'session-1', iat, exp: iat + 120, jti: `jti-${Math.random()}`, events: { [LOGOUT_EVENT]: {} } },
		{ typ: 'logout+jwt', ...options }
	);
}

const verifyLogout = (token: string, clientId = CLIENT_ID) => verifyLogoutToken(token, { issuer: ISSUER, clientId, jwksURI: server.url });

describe('verifyLogoutToken (Back-Channel Logout 1.0 §2.6)', () => {
	it('accepts a proper logout token and returns sid and sub', async () => {
		await expect(verifyLogout(await logoutToken())).resolves.toEqual({ sid: 'session-1', sub: 'user-1', jti: expect.any(String), expiresAt: expect.any(Date) });
	});

	it('accepts sid alone and sub alone (§2.4: at least one of them)', async () => {
		await expect(verifyLogout(await logoutToken({ omit: ['sub'] }))).resolves.toEqual({
			sid: 'session-1',
			sub: undefined,
			jti: expect.any(String),
			expiresAt: expect.any(Date)
		});
		await expect(verifyLogout(await logoutToken({ omit: ['sid'] }))).resolves.toEqual({
			sid: undefined,
			sub: 'user-1',
			jti: expect.any(String),
			expiresAt: expect.any(Date)
		});
	});

	it('accepts one signed with ES256 from the same JWKS', async () => {
		await expect(verifyLogout(await logoutToken({ key: ec, alg: 'ES256' }))).resolves.toMatchObject({ sid: 'session-1' });
	});

	it.each<[string, TokenOptions, RegExp]>([
		['a nonce (§2.4: a logout token must not contain one, so an ID token cannot pass as one)', { claims: { nonce: 'n-1' } }, /nonce/],
		['no events claim', { omit: ['events'] }, /events/],
		['events without the back-channel logout event', { claims: { events: { 'http://schemas.openid.net/event/other': {} } } }, /logout event/],
		['events that is not an object', { claims: { events: LOGOUT_EVENT } }, /logout event/],
		["typ JWT (an ID token's typ)", { typ: 'JWT' }, /typ/],
		['no typ', { typ: null }, /typ/],
		['another audience', { claims: { aud: 'team-wiki' } }, /aud/],
		['another issuer', { claims: { iss: 'https://evil.example' } }, /iss/],
		['neither sid nor sub', { omit: ['sid', 'sub'] }, /sid or sub/],
		['no jti', { omit: ['jti'] }, /jti/],
		['no iat', { omit: ['iat'] }, /iat/],
		// §2.4 makes exp REQUIRED and §2.6 says to validate it as for ID tokens.
		['no exp', { omit: ['exp'] }, /exp/],
		['an iat 10 minutes old (too old to be a fresh logout)', { claims: { iat: now() - 600, exp: now() + 600 } }, /iat/],
		['an exp in the past', { claims: { iat: now() - 200, exp: now() - 60 } }, /exp/]
	])('refuses a token with %s', async (_, options, reason) => {
		await expect(verifyLogout(await logoutToken(options))).rejects.toThrow(reason);
	});

	it('refuses a token signed by a key that is not in the JWKS, even with a published kid', async () => {
		const { privateKey } = await generateKeyPair('RS256');
		await expect(verifyLogout(await logoutToken({ key: { privateKey, kid: rsa.kid } }))).rejects.toThrow();
	});

	it('refuses an unsigned token (alg none) and garbage', async () => {
		const unsigned = new UnsecuredJWT({ sid: 'session-1', events: { [LOGOUT_EVENT]: {} }, jti: 'j' })
			.setIssuer(ISSUER)
			.setAudience(CLIENT_ID)
			.setIssuedAt()
			.encode();
		await expect(verifyLogout(unsigned)).rejects.toThrow();
		await expect(verifyLogout('garbage')).rejects.toThrow();
	});
});

function sessionJWT(options: TokenOptions = {}): Promise<string> {
	const iat = now();
	return sign({ iss: ISSUER, aud: ISSUER, sub: 'user-1', sid: 'session-1', email: 'demo@example.com', iat, exp: iat + 900 }, { typ: 'JWT', ...options });
}

describe('verifySessionJWT (what a backend API checks)', () => {
	const verify = (token: string) => verifySessionJWT(token, { issuer: ISSUER, jwksURI: server.url });

	it('accepts a session JWT: typ JWT, iss = aud = issuer', async () => {
		await expect(verify(await sessionJWT())).resolves.toMatchObject({ sub: 'user-1', email: 'demo@example.com' });
	});

	it.each<[string, TokenOptions]>([
		['typ at+jwt (an access token)', { typ: 'at+jwt', claims: { aud: `${ISSUER}/api/auth/userinfo` } }],
		['typ at+jwt even with aud = issuer', { typ: 'at+jwt' }],
		['aud = a client id (an ID token)', { claims: { aud: CLIENT_ID } }],
		['typ logout+jwt', { typ: 'logout+jwt' }],
		['an exp in the past', { claims: { iat: now() - 1000, exp: now() - 100 } }],
		['no exp', { omit: ['exp'] }],
		['another issuer', { claims: { iss: 'https://evil.example' } }]
	])('refuses %s', async (_, options) => {
		await expect(verify(await sessionJWT(options))).rejects.toThrow();
	});
});

describe('verifyIDToken (OIDC Core §3.1.3.7)', () => {
	const idToken = (options: TokenOptions = {}) => {
		const iat = now();
		return sign({ iss: ISSUER, aud: CLIENT_ID, sub: 'user-1', nonce: 'nonce-1', iat, exp: iat + 3600 }, { typ: 'JWT', ...options });
	};
	const verify = (token: string, nonce = 'nonce-1') => verifyIDToken(token, { issuer: ISSUER, clientId: CLIENT_ID, jwksURI: server.url, nonce });

	it('accepts an ID token with our nonce', async () => {
		await expect(verify(await idToken())).resolves.toMatchObject({ sub: 'user-1' });
	});

	it('refuses another nonce, no nonce, another audience, and several audiences without azp = us', async () => {
		await expect(verify(await idToken(), 'nonce-2')).rejects.toThrow();
		await expect(verify(await idToken({ omit: ['nonce'] }))).rejects.toThrow();
		await expect(verify(await idToken({ claims: { aud: 'team-wiki' } }))).rejects.toThrow();
		await expect(verify(await idToken({ claims: { aud: [CLIENT_ID, 'team-wiki'] } }))).rejects.toThrow();
		await expect(verify(await idToken({ claims: { aud: [CLIENT_ID, 'team-wiki'], azp: CLIENT_ID } }))).resolves.toMatchObject({ sub: 'user-1' });
	});
});

describe('verifyIDToken: at_hash (OIDC Core §3.1.3.8, §3.2.2.9)', () => {
	const ACCESS_TOKEN = 'the-access-token-from-the-same-token-response';
	const idToken = (options: TokenOptions = {}, accessToken = ACCESS_TOKEN) => {
		const iat = now();
		return sign(
			{ iss: ISSUER, aud: CLIENT_ID, sub: 'user-1', nonce: 'nonce-1', iat, exp: iat + 3600, at_hash: accessTokenHash(accessToken, options.alg ?? 'RS256') },
			{ typ: 'JWT', ...options }
		);
	};
	const verify = (token: string, accessToken: string, recorder?: FlowRecorder, jwksURI = server.url) =>
		verifyIDToken(token, { issuer: ISSUER, clientId: CLIENT_ID, jwksURI, nonce: 'nonce-1', accessToken }, recorder);

	// Options as functions: the keys exist only after beforeAll.
	it.each<[string, () => TokenOptions]>([
		['RS256 (SHA-256)', () => ({})],
		['ES256 (SHA-256)', () => ({ key: ec, alg: 'ES256' })],
		['EdDSA (Ed25519: SHA-512)', () => ({ key: ed, alg: 'EdDSA' })]
	])('accepts an ID token whose at_hash is that of the access token received with it: %s', async (_, options) => {
		await expect(verify(await idToken(options()), ACCESS_TOKEN)).resolves.toMatchObject({ sub: 'user-1' });
	});

	it("refuses a valid ID token presented with another access token (an attacker's substitution)", async () => {
		await expect(verify(await idToken(), 'an-access-token-the-attacker-swapped-in')).rejects.toThrow(/at_hash/);
		await expect(verify(await idToken({ key: ed, alg: 'EdDSA' }), 'an-access-token-the-attacker-swapped-in')).rejects.toThrow(/at_hash/);
	});

	it('refuses an at_hash computed with the wrong hash for the algorithm (SHA-256 under EdDSA)', async () => {
		const iat = now();
		const token = await sign(
			{ iss: ISSUER, aud: CLIENT_ID, sub: 'user-1', nonce: 'nonce-1', iat, exp: iat + 3600, at_hash: accessTokenHash(ACCESS_TOKEN, 'RS256') },
			{ key: ed, alg: 'EdDSA' }
		);
		await expect(verify(token, ACCESS_TOKEN)).rejects.toThrow(/at_hash/);
	});

	it('accepts an ID token without at_hash (optional in the code flow, §3.1.3.6)', async () => {
		await expect(verify(await idToken({ omit: ['at_hash'] }), ACCESS_TOKEN)).resolves.toMatchObject({ sub: 'user-1' });
	});

	it('records each check as passed, with its spec, and the JWKS fetch on a cold cache then a cache hit', async () => {
		const jwksURI = `${server.url}?cold=${Math.random()}`;
		const first = new FlowRecorder('sign-in', 'Sign-in');
		await verify(await idToken(), ACCESS_TOKEN, first, jwksURI);
		expect(first.checks.map((c) => [c.id, c.result])).toEqual([
			['format', 'passed'],
			['alg', 'passed'],
			['key', 'passed'],
			['signature', 'passed'],
			['required', 'passed'],
			['iss', 'passed'],
			['aud', 'passed'],
			['exp', 'passed'],
			['iat', 'passed'],
			['nonce', 'passed'],
			['azp', 'not-applicable'],
			['at_hash', 'passed']
		]);
		expect(first.checks.find((c) => c.id === 'at_hash')!.spec).toContain('§3.1.3.6');
		expect(first.checks.find((c) => c.id === 'key')!.detail).toContain('rsa-1');
		expect(first.steps.map((s) => `${s.from}>${s.to} ${s.label}`)).toEqual([`site>provider GET ${new URL(server.url).pathname}`, 'provider>site 200 JWKS']);
		const second = new FlowRecorder('sign-in', 'Sign-in');
		await verify(await idToken(), ACCESS_TOKEN, second, jwksURI);
		expect(second.steps.map((s) => s.label)).toEqual(['JWKS cache hit']);
	});

	it('records where verification stopped: the failed check, those before passed, those after not reached', async () => {
		const substituted = new FlowRecorder('sign-in', 'Sign-in');
		await expect(verify(await idToken(), 'swapped', substituted)).rejects.toThrow();
		expect(substituted.checks.find((c) => c.id === 'at_hash')!.result).toBe('failed');
		expect(substituted.checks.find((c) => c.id === 'nonce')!.result).toBe('passed');

		const foreign = new FlowRecorder('sign-in', 'Sign-in');
		await expect(verify(await idToken({ claims: { iss: 'https://evil.example' } }), ACCESS_TOKEN, foreign)).rejects.toThrow();
		const results = Object.fromEntries(foreign.checks.map((c) => [c.id, c.result]));
		expect(results).toMatchObject({ signature: 'passed', iss: 'failed', aud: 'not-checked', nonce: 'not-checked', at_hash: 'not-checked' });
		expect(foreign.checks.find((c) => c.id === 'iss')!.detail).toContain('https://evil.example');
	});
});
