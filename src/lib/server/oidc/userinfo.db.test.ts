import { eq } from 'drizzle-orm';
import { generateKeyPair, SignJWT, UnsecuredJWT, decodeProtectedHeader } from 'jose';
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
import { form, issueTestCode, rejectionOf, TEST_ISSUER } from '../../../../tests/support/oidc';
import { users } from '../db/schema';
import { bearerToken } from './access-tokens';
import { KeyStore } from './keys';
import { handleTokenRequest } from './token-endpoint';
import type { TokenContext } from './token-policy';
import { accessTokenAudience } from './access-tokens';
import { userInfo } from './userinfo';

const database = useTestDatabase();
const clock = testClock();
let keys: KeyStore;
let ctx: TokenContext;
let client: TestClient;
let user: TestUser;

beforeAll(async () => {
	keys = new KeyStore(database.db, 'userinfo-test-secret');
	ctx = testProtocolContext(database.db, keys, clock.now);
	client = await createTestClient(database.db);
	user = await createTestUser(database.db, { name: 'Grace Hopper', email: 'grace-userinfo@example.com' });
});

async function tokensFor(scope: string) {
	const { code } = await issueTestCode(database.db, { client, userId: user.id, now: clock.now(), scope });
	return handleTokenRequest(
		ctx,
		basicAuthorization(client.id, client.secret!),
		form({ grant_type: 'authorization_code', code, redirect_uri: TEST_REDIRECT_URI })
	);
}

const call = (token: string) => userInfo(ctx, token);

async function invalidToken(token: string) {
	const error = await rejectionOf(() => call(token));
	expect(error.code).toBe('invalid_token');
	expect(error.status).toBe(401);
}

describe("UserInfo claims follow the access token's scope (OIDC Core §5.3, §5.4)", () => {
	it.each([
		['openid', { sub: 'SUB' }],
		['openid profile', { sub: 'SUB', name: 'Grace Hopper' }],
		['openid email', { sub: 'SUB', email: 'grace-userinfo@example.com', email_verified: true }],
		['openid profile email', { sub: 'SUB', name: 'Grace Hopper', email: 'grace-userinfo@example.com', email_verified: true }]
	])('scope %s', async (scope, expected) => {
		const { access_token } = await tokensFor(scope);
		expect(await call(access_token)).toEqual({ ...expected, sub: user.id });
	});

	it("reflects the user's current profile, not the one at issue time", async () => {
		const { access_token } = await tokensFor('openid profile');
		await database.db.update(users).set({ name: 'Rear Admiral Hopper' }).where(eq(users.id, user.id));
		expect(await call(access_token)).toEqual({ sub: user.id, name: 'Rear Admiral Hopper' });
		await database.db.update(users).set({ name: 'Grace Hopper' }).where(eq(users.id, user.id));
	});
});

describe('UserInfo refuses anything but a valid access token with invalid_token (RFC 6750 §3.1)', () => {
	it('an ID token presented as access token (RFC 9068 §4: typ tells them apart)', async () => {
		const { id_token } = await tokensFor('openid profile');
		await invalidToken(id_token!);
	});

	it('a tampered payload', async () => {
		const { access_token } = await tokensFor('openid');
		const [h, p, s] = access_token.split('.');
		const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
		const forged = Buffer.from(JSON.stringify({ ...payload, scope: 'openid profile email' })).toString('base64url');
		await invalidToken(`${h}.${forged}.${s}`);
	});

	it('a tampered signature', async () => {
		const { access_token } = await tokensFor('openid');
		const [h, p, s] = access_token.split('.');
		const flipped = (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
		await invalidToken(`${h}.${p}.${flipped}`);
	});

	it('an expired token (iat + 3600 s + 1 s)', async () => {
		const { access_token } = await tokensFor('openid');
		await expect(call(access_token)).resolves.toMatchObject({ sub: user.id });
		clock.advance(3601);
		await invalidToken(access_token);
	});

	it('a token signed by a key we never published, even with our kid and claims', async () => {
		const { access_token } = await tokensFor('openid');
		const { privateKey } = await generateKeyPair('RS256');
		const header = decodeProtectedHeader(access_token);
		const forged = await new SignJWT({ client_id: client.id, scope: 'openid email', jti: 'x.y' })
			.setProtectedHeader({ alg: 'RS256', kid: header.kid, typ: 'at+jwt' })
			.setIssuer(TEST_ISSUER)
			.setSubject(user.id)
			.setAudience(accessTokenAudience(TEST_ISSUER))
			.setIssuedAt(Math.floor(clock.now().getTime() / 1000))
			.setExpirationTime(Math.floor(clock.now().getTime() / 1000) + 60)
			.sign(privateKey);
		await invalidToken(forged);
	});

	it('an unsigned token (alg none)', async () => {
		const unsigned = new UnsecuredJWT({ scope: 'openid' }).setIssuer(TEST_ISSUER).setSubject(user.id).setAudience(accessTokenAudience(TEST_ISSUER)).encode();
		await invalidToken(unsigned);
	});

	it('malformed strings', async () => {
		for (const token of ['', 'abc', 'a.b.c', 'a.b', '....', 'eyJhbGciOiJSUzI1NiJ9.e30.', '%%%.%%%.%%%']) await invalidToken(token);
	});

	it('a token whose grant was revoked (code replay)', async () => {
		const { code } = await issueTestCode(database.db, { client, userId: user.id, now: clock.now() });
		const exchange = () =>
			handleTokenRequest(ctx, basicAuthorization(client.id, client.secret!), form({ grant_type: 'authorization_code', code, redirect_uri: TEST_REDIRECT_URI }));
		const { access_token } = await exchange();
		await rejectionOf(exchange);
		await invalidToken(access_token);
	});

	it('a token from another issuer', async () => {
		const { access_token } = await tokensFor('openid');
		const error = await rejectionOf(() => userInfo({ ...ctx, issuer: 'https://other-op.example.com' }, access_token));
		expect(error.code).toBe('invalid_token');
	});
});

describe('bearerToken (RFC 6750 §2)', () => {
	it('reads the Authorization header, case-insensitively', () => {
		expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
		expect(bearerToken('bearer abc.def.ghi')).toBe('abc.def.ghi');
	});

	it('§2.2: reads access_token from a form body', () => {
		expect(bearerToken(null, new Map([['access_token', 'abc']]))).toBe('abc');
	});

	it('no token → invalid_token (401)', async () => {
		const error = await rejectionOf(async () => bearerToken(null));
		expect(error.status).toBe(401);
		expect(error.code).toBe('invalid_token');
	});

	it('another scheme is not a bearer token', async () => {
		expect((await rejectionOf(async () => bearerToken('Basic abc'))).status).toBe(401);
	});

	it('§3.1: a token sent by more than one method → invalid_request (400)', async () => {
		const error = await rejectionOf(async () => bearerToken('Bearer abc', new Map([['access_token', 'abc']])));
		expect(error.code).toBe('invalid_request');
		expect(error.status).toBe(400);
	});
});
