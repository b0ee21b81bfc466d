import { decodeJwt, decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
	basicAuthorization,
	createTestClient,
	createTestUser,
	TEST_REDIRECT_URI,
	testClock,
	type TestClient,
	type TestUser
} from '../../../../tests/support/fixtures';
import { useTestDatabase } from '../../../../tests/support/database';
import { testProtocolContext } from '../../../../tests/support/protocol-context';
import { atHash, form, issueTestCode, PKCE_CHALLENGE, PKCE_VERIFIER, rejectionOf, TEST_ISSUER, verifyWithPublishedJWKS } from '../../../../tests/support/oidc';
import { KeyStore } from './keys';
import { handleTokenRequest } from './token-endpoint';
import type { TokenContext } from './token-policy';
import type { TokenResponse } from './token-response';
import { accessTokenAudience } from './access-tokens';
import { userInfo } from './userinfo';

const database = useTestDatabase();
const clock = testClock();
let keys: KeyStore;
let ctx: TokenContext;
let client: TestClient;
let otherClient: TestClient;
let untrustedClient: TestClient;
/** Registered for client_secret_post (RFC 7591 §2): the only method it may use. */
let postClient: TestClient;
let user: TestUser;

beforeAll(async () => {
	keys = new KeyStore(database.db, 'tokens-test-secret');
	ctx = testProtocolContext(database.db, keys, clock.now);
	client = await createTestClient(database.db, { trusted: true });
	otherClient = await createTestClient(database.db, { trusted: true });
	untrustedClient = await createTestClient(database.db, { trusted: false });
	postClient = await createTestClient(database.db, { trusted: true, tokenEndpointAuthMethod: 'client_secret_post' });
	user = await createTestUser(database.db, { name: 'Ada Lovelace', email: 'ada-tokens@example.com' });
});

type CodeOptions = Partial<Parameters<typeof issueTestCode>[1]>;

async function newCode(options: CodeOptions = {}) {
	return issueTestCode(database.db, { client, userId: user.id, now: clock.now(), nonce: 'nonce-1', ...options });
}

/** The guide's exchange: client_secret_post. */
function postExchange(code: string, extra: Record<string, string | undefined> = {}, as: TestClient = client) {
	return handleTokenRequest(
		ctx,
		null,
		form({ grant_type: 'authorization_code', code, redirect_uri: TEST_REDIRECT_URI, client_id: as.id, client_secret: as.secret, ...extra })
	);
}

function basicExchange(code: string, extra: Record<string, string | undefined> = {}, as: TestClient = client) {
	return handleTokenRequest(
		ctx,
		basicAuthorization(as.id, as.secret!),
		form({ grant_type: 'authorization_code', code, redirect_uri: TEST_REDIRECT_URI, ...extra })
	);
}

function refresh(refreshToken: string, extra: Record<string, string | undefined> = {}, as: TestClient = client) {
	return handleTokenRequest(ctx, basicAuthorization(as.id, as.secret!), form({ grant_type: 'refresh_token', refresh_token: refreshToken, ...extra }));
}

async function verifyIDToken(tokens: TokenResponse, audience = client.id) {
	expect(tokens.id_token).toBeTypeOf('string');
	return verifyWithPublishedJWKS(keys, tokens.id_token!, { issuer: TEST_ISSUER, audience, now: clock.now() });
}

describe('client authentication at the token endpoint (RFC 6749 §2.3)', () => {
	it('client_secret_basic: the code is exchanged', async () => {
		const { code } = await newCode();
		const tokens = await basicExchange(code);
		expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'openid profile email' });
		expect(tokens.access_token).toBeTypeOf('string');
	});

	it("client_secret_post (the guide's form body): the code is exchanged", async () => {
		const { code } = await newCode({ client: postClient });
		const tokens = await postExchange(code, {}, postClient);
		expect(tokens.token_type).toBe('Bearer');
		expect(tokens.id_token).toBeTypeOf('string');
	});

	it('Basic with a matching client_id in the body is fine', async () => {
		const { code } = await newCode();
		await expect(basicExchange(code, { client_id: client.id })).resolves.toMatchObject({ token_type: 'Bearer' });
	});

	it('§2.3.1: Basic and client_secret in the body at once → invalid_request', async () => {
		const { code } = await newCode();
		const error = await rejectionOf(() => basicExchange(code, { client_id: client.id, client_secret: client.secret }));
		expect(error.code).toBe('invalid_request');
		expect(error.status).toBe(400);
	});

	it('Basic for one client and client_id of another in the body → invalid_request', async () => {
		const { code } = await newCode();
		expect((await rejectionOf(() => basicExchange(code, { client_id: otherClient.id }))).code).toBe('invalid_request');
	});

	it('a wrong secret → invalid_client with status 401 (post and Basic)', async () => {
		const { code } = await newCode();
		const viaPost = await rejectionOf(() => postExchange(code, { client_secret: 'wrong' }));
		expect(viaPost.code).toBe('invalid_client');
		expect(viaPost.status).toBe(401);
		const viaBasic = await rejectionOf(() =>
			handleTokenRequest(ctx, basicAuthorization(client.id, 'wrong'), form({ grant_type: 'authorization_code', code, redirect_uri: TEST_REDIRECT_URI }))
		);
		expect(viaBasic.code).toBe('invalid_client');
		expect(viaBasic.status).toBe(401);
	});

	it('a failed client authentication does not use up the code', async () => {
		const { code } = await newCode({ client: postClient });
		await rejectionOf(() => postExchange(code, { client_secret: 'wrong' }, postClient));
		await expect(postExchange(code, {}, postClient)).resolves.toMatchObject({ token_type: 'Bearer' });
	});

	it("RFC 7591 §2: only the registered method works: a Basic client's secret in the body, or a post client's in Basic → invalid_client", async () => {
		const basicCode = (await newCode()).code;
		const viaPost = await rejectionOf(() => postExchange(basicCode));
		expect([viaPost.code, viaPost.status]).toEqual(['invalid_client', 401]);
		const postCode = (await newCode({ client: postClient })).code;
		const viaBasic = await rejectionOf(() => basicExchange(postCode, {}, postClient));
		expect([viaBasic.code, viaBasic.status]).toEqual(['invalid_client', 401]);
		// Neither refusal used up the code: it still works by the registered method.
		await expect(basicExchange(basicCode)).resolves.toMatchObject({ token_type: 'Bearer' });
		await expect(postExchange(postCode, {}, postClient)).resolves.toMatchObject({ token_type: 'Bearer' });
	});

	it('an unknown client, no credentials, a missing secret, or malformed Basic → invalid_client (401)', async () => {
		const { code } = await newCode();
		const cases: [string | null, Record<string, string>][] = [
			[null, { client_id: 'no-such-client', client_secret: 'x' }],
			[null, {}],
			[null, { client_id: client.id }],
			['Basic !!!not-base64', {}],
			[`Basic ${Buffer.from('no-colon').toString('base64')}`, {}],
			[`Basic ${Buffer.from('%E0%A4%A:x').toString('base64')}`, {}]
		];
		for (const [authorization, extra] of cases) {
			const error = await rejectionOf(() =>
				handleTokenRequest(ctx, authorization, form({ grant_type: 'authorization_code', code, redirect_uri: TEST_REDIRECT_URI, ...extra }))
			);
			expect(error.code, JSON.stringify([authorization, extra])).toBe('invalid_client');
			expect(error.status).toBe(401);
		}
	});

	it('Basic credentials are form-urlencoded before base64 (RFC 6749 §2.3.1)', async () => {
		const odd = await createTestClient(database.db, { id: `odd client:${Date.now()}`, secret: 'p@ss:wörd +%' });
		const { code } = await newCode({ client: odd });
		const tokens = await handleTokenRequest(
			ctx,
			basicAuthorization(odd.id, odd.secret!),
			form({ grant_type: 'authorization_code', code, redirect_uri: TEST_REDIRECT_URI })
		);
		expect(tokens.token_type).toBe('Bearer');
	});

	it('missing grant_type → invalid_request; an unknown one → unsupported_grant_type', async () => {
		expect((await rejectionOf(() => handleTokenRequest(ctx, basicAuthorization(client.id, client.secret!), form({})))).code).toBe('invalid_request');
		for (const grantType of ['password', 'implicit', 'urn:ietf:params:oauth:grant-type:device_code']) {
			const error = await rejectionOf(() => handleTokenRequest(ctx, basicAuthorization(client.id, client.secret!), form({ grant_type: grantType })));
			expect(error.code, grantType).toBe('unsupported_grant_type');
		}
	});

	it('a grant type the client did not register → unauthorized_client', async () => {
		const error = await rejectionOf(() => handleTokenRequest(ctx, basicAuthorization(client.id, client.secret!), form({ grant_type: 'client_credentials' })));
		expect(error.code).toBe('unauthorized_client');
	});

	it('missing code → invalid_request', async () => {
		expect((await rejectionOf(() => basicExchange(undefined as unknown as string))).code).toBe('invalid_request');
	});
});

describe('authorization_code grant (RFC 6749 §4.1.3, RFC 7636 §4.6)', () => {
	it('a code is single use: the replay → invalid_grant, and the tokens from the first exchange stop working', async () => {
		const { code } = await newCode();
		const first = await basicExchange(code);
		await expect(userInfo(ctx, first.access_token)).resolves.toMatchObject({ sub: user.id });
		clock.advance(2);
		const replay = await rejectionOf(() => basicExchange(code));
		expect(replay.code).toBe('invalid_grant');
		const revoked = await rejectionOf(() => userInfo(ctx, first.access_token));
		expect(revoked.code).toBe('invalid_token');
		expect(first.refresh_token).toBeTypeOf('string');
		expect((await rejectionOf(() => refresh(first.refresh_token!))).code).toBe('invalid_grant');
	});

	it('an expired code (+61 s) → invalid_grant', async () => {
		const { code } = await newCode();
		clock.advance(61);
		const error = await rejectionOf(() => basicExchange(code));
		expect(error.code).toBe('invalid_grant');
	});

	it('a wrong redirect_uri → invalid_grant', async () => {
		const { code } = await newCode();
		expect((await rejectionOf(() => basicExchange(code, { redirect_uri: 'https://rp.example.com/other' }))).code).toBe('invalid_grant');
	});

	it('a missing redirect_uri when the request had one → invalid_grant', async () => {
		const { code } = await newCode();
		expect((await rejectionOf(() => basicExchange(code, { redirect_uri: undefined }))).code).toBe('invalid_grant');
	});

	it('a code issued to another client → invalid_grant (even with valid credentials)', async () => {
		const { code } = await newCode({ client: otherClient });
		const error = await rejectionOf(() => basicExchange(code));
		expect(error.code).toBe('invalid_grant');
		// The rightful client cannot use it afterwards: a misused code may be a stolen one.
		expect((await rejectionOf(() => basicExchange(code, {}, otherClient))).code).toBe('invalid_grant');
	});

	it('PKCE: the right code_verifier is required when a challenge was sent', async () => {
		const { code } = await newCode({ codeChallenge: PKCE_CHALLENGE });
		await expect(basicExchange(code, { code_verifier: PKCE_VERIFIER })).resolves.toMatchObject({ token_type: 'Bearer' });
	});

	it('PKCE: a missing code_verifier → invalid_grant', async () => {
		const { code } = await newCode({ codeChallenge: PKCE_CHALLENGE });
		expect((await rejectionOf(() => basicExchange(code))).code).toBe('invalid_grant');
	});

	it('PKCE: a wrong code_verifier → invalid_grant, and the code cannot be retried', async () => {
		const { code } = await newCode({ codeChallenge: PKCE_CHALLENGE });
		expect((await rejectionOf(() => basicExchange(code, { code_verifier: PKCE_VERIFIER.replace('d', 'e') }))).code).toBe('invalid_grant');
		expect((await rejectionOf(() => basicExchange(code, { code_verifier: PKCE_VERIFIER }))).code).toBe('invalid_grant');
	});

	it('RFC 9700 §4.8.2: a code_verifier for a request without code_challenge → invalid_grant (PKCE downgrade)', async () => {
		const { code } = await newCode();
		expect((await rejectionOf(() => basicExchange(code, { code_verifier: PKCE_VERIFIER }))).code).toBe('invalid_grant');
	});

	it('an unknown code → invalid_grant', async () => {
		expect((await rejectionOf(() => basicExchange('no-such-code'))).code).toBe('invalid_grant');
	});
});

describe('ID token (OIDC Core §2, §3.1.3.6)', () => {
	it("verifies against the published JWKS, with kid, iss, aud=client_id, sub, exp, iat, auth_time, nonce, at_hash and the scope's claims", async () => {
		const authTime = new Date(clock.now().getTime() - 120_000);
		const { code, sessionId } = await newCode({ nonce: 'n-0S6_WzA2Mj', authTime });
		const tokens = await basicExchange(code);
		const { payload, header } = await verifyIDToken(tokens);
		const published = JSON.parse(await keys.publicJWKS()) as { keys: { kid: string }[] };
		expect(header.alg).toBe('RS256');
		expect(published.keys.map((k) => k.kid)).toContain(header.kid);
		const iat = Math.floor(clock.now().getTime() / 1000);
		expect(payload).toMatchObject({
			iss: TEST_ISSUER,
			aud: client.id,
			sub: user.id,
			iat,
			exp: iat + 3600,
			auth_time: Math.floor(authTime.getTime() / 1000),
			amr: ['pwd'],
			nonce: 'n-0S6_WzA2Mj',
			at_hash: atHash(tokens.access_token),
			name: 'Ada Lovelace',
			email: 'ada-tokens@example.com',
			email_verified: true,
			sid: sessionId
		});
	});

	it('has no nonce when the authorization request sent none', async () => {
		const { code } = await newCode({ nonce: undefined });
		const { payload } = await verifyIDToken(await basicExchange(code));
		expect(payload).not.toHaveProperty('nonce');
	});

	it('scope openid alone: no name, no email', async () => {
		const { code } = await newCode({ scope: 'openid' });
		const { payload } = await verifyIDToken(await basicExchange(code));
		expect(payload.sub).toBe(user.id);
		for (const claim of ['name', 'email', 'email_verified']) expect(payload).not.toHaveProperty(claim);
	});

	it('scope openid email: email and email_verified, no name', async () => {
		const { code } = await newCode({ scope: 'openid email' });
		const tokens = await basicExchange(code);
		expect(tokens.scope).toBe('openid email');
		const { payload } = await verifyIDToken(tokens);
		expect(payload).toMatchObject({ email: 'ada-tokens@example.com', email_verified: true });
		expect(payload).not.toHaveProperty('name');
	});

	it('scope openid profile: name, no email', async () => {
		const { code } = await newCode({ scope: 'openid profile' });
		const { payload } = await verifyIDToken(await basicExchange(code));
		expect(payload.name).toBe('Ada Lovelace');
		expect(payload).not.toHaveProperty('email');
	});

	it('is refused for another audience', async () => {
		const { code } = await newCode();
		const tokens = await basicExchange(code);
		await expect(verifyIDToken(tokens, otherClient.id)).rejects.toThrow();
	});
});

describe('access token (RFC 9068)', () => {
	it('is a JWT with typ at+jwt, our kid, iss, sub, aud (the UserInfo resource), client_id, scope, jti, iat, exp', async () => {
		const { code } = await newCode();
		const tokens = await basicExchange(code);
		const { payload, header } = await verifyWithPublishedJWKS(keys, tokens.access_token, {
			issuer: TEST_ISSUER,
			audience: accessTokenAudience(TEST_ISSUER),
			now: clock.now(),
			typ: 'at+jwt'
		});
		expect(header.typ).toBe('at+jwt');
		expect(header.kid).toBe(decodeProtectedHeader(tokens.id_token!).kid);
		const iat = Math.floor(clock.now().getTime() / 1000);
		expect(payload).toMatchObject({ sub: user.id, client_id: client.id, scope: 'openid profile email', iat, exp: iat + 3600 });
		expect(payload.jti).toBeTypeOf('string');
	});

	it('every access token has its own jti', async () => {
		const a = await basicExchange((await newCode()).code);
		const b = await basicExchange((await newCode()).code);
		expect(decodeJwt(a.access_token).jti).not.toBe(decodeJwt(b.access_token).jti);
	});
});

describe('refresh tokens (RFC 6749 §6, RFC 9700 §4.14.2 rotation)', () => {
	it('trusted clients get a refresh token; untrusted ones only with offline_access', async () => {
		expect((await basicExchange((await newCode()).code)).refresh_token).toBeTypeOf('string');
		const plain = await basicExchange((await newCode({ client: untrustedClient })).code, {}, untrustedClient);
		expect(plain).not.toHaveProperty('refresh_token');
		const offline = await basicExchange((await newCode({ client: untrustedClient, scope: 'openid offline_access' })).code, {}, untrustedClient);
		expect(offline.refresh_token).toBeTypeOf('string');
	});

	it('a refresh token gives new tokens and a new refresh token', async () => {
		const first = await basicExchange((await newCode()).code);
		clock.advance(30);
		const second = await refresh(first.refresh_token!);
		expect(second.refresh_token).toBeTypeOf('string');
		expect(second.refresh_token).not.toBe(first.refresh_token);
		expect(second.access_token).not.toBe(first.access_token);
		await expect(userInfo(ctx, second.access_token)).resolves.toMatchObject({ sub: user.id });
	});

	it("client_secret_post works for refresh too (the guide's Issue 4)", async () => {
		const first = await postExchange((await newCode({ client: postClient })).code, {}, postClient);
		const second = await handleTokenRequest(
			ctx,
			null,
			form({ grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: postClient.id, client_secret: postClient.secret })
		);
		expect(second.access_token).toBeTypeOf('string');
	});

	it('the refreshed ID token keeps sub, aud and auth_time, has a new iat/exp and no nonce', async () => {
		const authTime = new Date(clock.now().getTime() - 600_000);
		const first = await basicExchange((await newCode({ authTime, nonce: 'n-1' })).code);
		const before = (await verifyIDToken(first)).payload;
		clock.advance(1800);
		const second = await refresh(first.refresh_token!);
		const after = (await verifyIDToken(second)).payload;
		expect(after.sub).toBe(before.sub);
		expect(after.aud).toBe(client.id);
		expect(after.auth_time).toBe(Math.floor(authTime.getTime() / 1000));
		expect(after.amr).toEqual(['pwd']);
		expect(after.iat).toBe(Math.floor(clock.now().getTime() / 1000));
		expect(after.exp).toBe((after.iat as number) + 3600);
		expect(after.at_hash).toBe(atHash(second.access_token));
		expect(after).not.toHaveProperty('nonce');
	});

	// RFC 9700 §4.14.2. Before issue #6 a rotated token stayed usable for 10 s by default and
	// minted a NEW refresh token each time ("two tabs"), which forked the grant. Now the default
	// is no grace at all, and an operator's grace window returns the same successor again.
	it('by default a rotated refresh token presented again → invalid_grant, and the whole grant is revoked', async () => {
		const first = await basicExchange((await newCode()).code);
		clock.advance(5);
		const second = await refresh(first.refresh_token!);
		clock.advance(1);
		const reuse = await rejectionOf(() => refresh(first.refresh_token!));
		expect(reuse.code).toBe('invalid_grant');
		// The newest refresh token and every access token of the grant are dead too.
		expect((await rejectionOf(() => refresh(second.refresh_token!))).code).toBe('invalid_grant');
		for (const accessToken of [first.access_token, second.access_token]) {
			expect((await rejectionOf(() => userInfo(ctx, accessToken))).code).toBe('invalid_token');
		}
	});

	it('parallel redemptions of one refresh token: exactly one wins, the rest are reuse', async () => {
		const first = await basicExchange((await newCode()).code);
		const results = await Promise.allSettled(Array.from({ length: 8 }, () => refresh(first.refresh_token!)));
		expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
		expect((await rejectionOf(() => refresh(first.refresh_token!))).code).toBe('invalid_grant');
	});

	it('with a grace window (refreshReuseGraceSeconds), the rotated token gets the SAME successor again, never a new branch', async () => {
		const lenient = { ...ctx, tokenPolicy: { ...ctx.tokenPolicy, refreshReuseGraceSeconds: 10 } };
		const refreshLeniently = (token: string) =>
			handleTokenRequest(lenient, basicAuthorization(client.id, client.secret!), form({ grant_type: 'refresh_token', refresh_token: token }));
		const first = await basicExchange((await newCode()).code);
		clock.advance(5);
		const second = await refreshLeniently(first.refresh_token!);
		clock.advance(3);
		const again = await refreshLeniently(first.refresh_token!);
		expect(again.refresh_token).toBe(second.refresh_token);
		expect(again.access_token).not.toBe(second.access_token);
		const third = await refreshLeniently(second.refresh_token!);
		expect(third.refresh_token).not.toBe(second.refresh_token);
		await expect(userInfo(ctx, third.access_token)).resolves.toMatchObject({ sub: user.id });
		// After the window, the first token is reuse again.
		clock.advance(11);
		expect((await rejectionOf(() => refreshLeniently(first.refresh_token!))).code).toBe('invalid_grant');
		expect((await rejectionOf(() => refreshLeniently(third.refresh_token!))).code).toBe('invalid_grant');
	});

	it('a scope error does not use the refresh token up', async () => {
		const first = await basicExchange((await newCode({ scope: 'openid profile' })).code);
		expect((await rejectionOf(() => refresh(first.refresh_token!, { scope: 'openid email' }))).code).toBe('invalid_scope');
		await expect(refresh(first.refresh_token!)).resolves.toHaveProperty('refresh_token');
	});

	it('scope can only narrow: a subset is granted, the ID token follows it', async () => {
		const first = await basicExchange((await newCode()).code);
		const narrowed = await refresh(first.refresh_token!, { scope: 'openid email' });
		expect(narrowed.scope).toBe('openid email');
		const { payload } = await verifyIDToken(narrowed);
		expect(payload.email).toBe('ada-tokens@example.com');
		expect(payload).not.toHaveProperty('name');
		expect(await userInfo(ctx, narrowed.access_token)).toEqual({
			sub: user.id,
			email: 'ada-tokens@example.com',
			email_verified: true
		});
	});

	it('scope widening → invalid_scope', async () => {
		const first = await basicExchange((await newCode({ scope: 'openid profile' })).code);
		const error = await rejectionOf(() => refresh(first.refresh_token!, { scope: 'openid profile email' }));
		expect(error.code).toBe('invalid_scope');
	});

	it('a refresh token presented by another client → invalid_grant', async () => {
		const first = await basicExchange((await newCode()).code);
		expect((await rejectionOf(() => refresh(first.refresh_token!, {}, otherClient))).code).toBe('invalid_grant');
	});

	it('an expired refresh token (30 days) → invalid_grant', async () => {
		const first = await basicExchange((await newCode()).code);
		clock.advance(30 * 24 * 3600 + 1);
		expect((await rejectionOf(() => refresh(first.refresh_token!))).code).toBe('invalid_grant');
	});

	it('an unknown or missing refresh token → invalid_grant / invalid_request', async () => {
		expect((await rejectionOf(() => refresh('no-such-token'))).code).toBe('invalid_grant');
		expect((await rejectionOf(() => refresh(undefined as unknown as string))).code).toBe('invalid_request');
	});
});
