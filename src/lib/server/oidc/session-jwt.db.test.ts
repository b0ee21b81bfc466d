import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	basicAuthorization,
	createTestClient,
	createTestSession,
	createTestUser,
	TEST_REDIRECT_URI,
	testClock,
	type TestClient,
	type TestUser
} from '../../../../tests/support/fixtures';
import { useTestDatabase } from '../../../../tests/support/database';
import { testProtocolContext } from '../../../../tests/support/protocol-context';
import { serveJWKS, type JWKSServer } from '../../../../tests/support/jwks-server';
import { form, issueTestCode, TEST_ISSUER } from '../../../../tests/support/oidc';
import { verifySessionJWT } from '../rp/verify';
import { verifyAccessToken } from './access-tokens';
import type { TokenContext } from './token-policy';
import { KeyStore } from './keys';
import { issueSessionJWT, SESSION_JWT_TTL_SECONDS, type SessionForJWT } from './session-jwt';
import { handleTokenRequest } from './token-endpoint';
import { userInfo } from './userinfo';

const database = useTestDatabase();
const clock = testClock();
let keys: KeyStore;
let ctx: TokenContext;
let user: TestUser;
let client: TestClient;
let session: SessionForJWT;
let jwksServer: JWKSServer;

beforeAll(async () => {
	keys = new KeyStore(database.db, 'session-jwt-test-secret');
	ctx = testProtocolContext(database.db, keys, clock.now);
	user = await createTestUser(database.db, { name: 'Session Person', email: 'session-jwt@example.com' });
	client = await createTestClient(database.db, { trusted: true });
	const created = await createTestSession(database.db, user.id, clock.now());
	session = { id: created.session.id, user: { id: user.id, email: user.email, emailVerified: true, name: user.name } };
	jwksServer = await serveJWKS(() => keys.publicJWKS());
});

afterAll(async () => {
	await jwksServer?.close();
});

describe('issueSessionJWT', () => {
	it('RS256 with the kid of the active RS256 key, typ JWT', async () => {
		const { token } = await issueSessionJWT(ctx, session);
		expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', kid: (await keys.signingKey('RS256')).kid, typ: 'JWT' });
	});

	it('iss = aud = issuer, sub, sid, email, email_verified, name; exp = iat + 15 minutes; expires_in 900', async () => {
		const { token, expiresIn } = await issueSessionJWT(ctx, session);
		expect(expiresIn).toBe(900);
		expect(SESSION_JWT_TTL_SECONDS).toBe(900);
		const iat = Math.floor(clock.now().getTime() / 1000);
		expect(decodeJwt(token)).toEqual({
			iss: TEST_ISSUER,
			aud: TEST_ISSUER,
			sub: user.id,
			sid: session.id,
			email: 'session-jwt@example.com',
			email_verified: true,
			name: 'Session Person',
			iat,
			exp: iat + 900
		});
	});

	it('verifies with the published JWKS (and only with it), and is expired 15 minutes later', async () => {
		const { token } = await issueSessionJWT(ctx, session);
		const jwks = createLocalJWKSet(JSON.parse(await keys.publicJWKS()));
		const options = { issuer: TEST_ISSUER, audience: TEST_ISSUER, typ: 'JWT', algorithms: ['RS256'] };
		await expect(jwtVerify(token, jwks, { ...options, currentDate: clock.now() })).resolves.toBeTruthy();
		const later = new Date(clock.now().getTime() + 901_000);
		await expect(jwtVerify(token, jwks, { ...options, currentDate: later })).rejects.toThrow(/exp/);
	});

	it('is not an access token: UserInfo and the access-token check refuse it (invalid_token)', async () => {
		const { token } = await issueSessionJWT(ctx, session);
		await expect(userInfo(ctx, token)).rejects.toMatchObject({ code: 'invalid_token' });
		await expect(verifyAccessToken(ctx, token)).rejects.toMatchObject({ code: 'invalid_token' });
	});
});

describe('verifySessionJWT (rp/verify.ts, JWKS over HTTP) tells session JWTs from the other tokens', () => {
	// Real time here: the relying party's check uses the wall clock.
	const live = () => ({ ...ctx, clock: () => new Date() });
	const verify = (token: string) => verifySessionJWT(token, { issuer: TEST_ISSUER, jwksURI: jwksServer.url });

	async function liveTokens() {
		const now = new Date();
		const { code } = await issueTestCode(database.db, { client, userId: user.id, now });
		return handleTokenRequest(
			{ ...ctx, clock: () => now },
			basicAuthorization(client.id, client.secret!),
			form({ grant_type: 'authorization_code', code, redirect_uri: TEST_REDIRECT_URI })
		);
	}

	it('accepts a fresh session JWT', async () => {
		const { token } = await issueSessionJWT(live(), session);
		await expect(verify(token)).resolves.toMatchObject({ sub: user.id, sid: session.id, email: 'session-jwt@example.com' });
	});

	it('refuses an access token (typ at+jwt, aud UserInfo) signed by the same key', async () => {
		const { access_token } = await liveTokens();
		await expect(verify(access_token)).rejects.toThrow();
	});

	it('refuses an ID token (aud = the client id) signed by the same key', async () => {
		const { id_token } = await liveTokens();
		expect(decodeProtectedHeader(id_token!).typ).toBe('JWT');
		await expect(verify(id_token!)).rejects.toThrow(/aud/);
	});

	it('refuses an expired session JWT and one for another issuer', async () => {
		const { token: old } = await issueSessionJWT({ ...ctx, clock: () => new Date(Date.now() - 16 * 60_000) }, session);
		await expect(verify(old)).rejects.toThrow(/exp/);
		const { token: foreign } = await issueSessionJWT({ ...live(), issuer: 'https://other-op.example' }, session);
		await expect(verify(foreign)).rejects.toThrow(/iss/);
	});
});
