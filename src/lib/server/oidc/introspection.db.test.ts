import { decodeJwt } from 'jose';
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
import { accessTokenAudience } from './access-tokens';
import { introspect } from './introspection';
import { KeyStore } from './keys';
import { saveResourceServer } from './resource-servers';
import { revokeToken } from './revocation';
import { handleTokenRequest } from './token-endpoint';
import type { TokenContext } from './token-policy';

const database = useTestDatabase();
const clock = testClock();
let keys: KeyStore;
let ctx: TokenContext;
/** The client the tokens are issued to (trusted, so it also gets refresh tokens). */
let owner: TestClient;
/** Another confidential client, not trusted. */
let stranger: TestClient;
/** A trusted first-party client (e.g. our own API) that is not the owner. */
let firstParty: TestClient;
let publicClient: TestClient;
let machine: TestClient;
const REPORTS_API = 'https://reports.example.com/api';
let user: TestUser;

beforeAll(async () => {
	keys = new KeyStore(database.db, 'introspection-test-secret');
	ctx = testProtocolContext(database.db, keys, clock.now);
	owner = await createTestClient(database.db, { trusted: true });
	stranger = await createTestClient(database.db, { trusted: false });
	firstParty = await createTestClient(database.db, { trusted: true });
	publicClient = await createTestClient(database.db, { public: true, trusted: false });
	await saveResourceServer(database.db, { id: REPORTS_API, name: 'Reports', scopes: ['reports:read'] });
	machine = await createTestClient(database.db, {
		trusted: false,
		grantTypes: ['client_credentials'],
		allowedResources: [REPORTS_API],
		allowedScopes: ['reports:read']
	});
	user = await createTestUser(database.db, { email: 'introspected@example.com' });
});

async function tokensFor(client: TestClient = owner, scope = 'openid profile email') {
	const { code } = await issueTestCode(database.db, { client, userId: user.id, now: clock.now(), scope });
	return handleTokenRequest(
		ctx,
		basicAuthorization(client.id, client.secret!),
		form({ grant_type: 'authorization_code', code, redirect_uri: TEST_REDIRECT_URI })
	);
}

const ask = (caller: TestClient, params: Record<string, string | undefined>) => introspect(ctx, caller, form(params));

describe('RFC 7662 §2.2: an active access token (typ at+jwt)', () => {
	it('is described to its client: active, token_type, scope, client_id, sub, username, iss, aud, iat, exp, jti', async () => {
		const tokens = await tokensFor();
		const claims = decodeJwt(tokens.access_token);
		const iat = Math.floor(clock.now().getTime() / 1000);
		expect(await ask(owner, { token: tokens.access_token })).toEqual({
			active: true,
			token_type: 'Bearer',
			scope: 'openid profile email',
			client_id: owner.id,
			sub: user.id,
			username: 'introspected@example.com',
			iss: TEST_ISSUER,
			aud: accessTokenAudience(TEST_ISSUER),
			iat,
			exp: iat + 3600,
			jti: claims.jti
		});
	});

	it('token_type_hint is only a hint (§2.1): a wrong or unknown hint still finds the access token', async () => {
		const tokens = await tokensFor();
		for (const hint of ['refresh_token', 'id_token', 'nonsense']) {
			expect((await ask(owner, { token: tokens.access_token, token_type_hint: hint })).active, hint).toBe(true);
		}
	});

	it('is described to a trusted first-party client that is not its client', async () => {
		const tokens = await tokensFor();
		expect(await ask(firstParty, { token: tokens.access_token })).toMatchObject({ active: true, client_id: owner.id, sub: user.id });
	});

	it('is {"active":false} and nothing more for another, untrusted client', async () => {
		const tokens = await tokensFor();
		expect(await ask(stranger, { token: tokens.access_token })).toEqual({ active: false });
	});

	it('expired (iat + 3600 s + 1 s) → {"active":false}', async () => {
		const tokens = await tokensFor();
		clock.advance(3601);
		expect(await ask(owner, { token: tokens.access_token })).toEqual({ active: false });
	});

	it('still active one second before it expires', async () => {
		const tokens = await tokensFor();
		clock.advance(3599);
		expect((await ask(owner, { token: tokens.access_token })).active).toBe(true);
	});
});

describe('RFC 7662 §2.2: anything but an active token is {"active":false} with no other member', () => {
	it('an ID token (typ JWT, aud = the client) is not an access token', async () => {
		const tokens = await tokensFor();
		expect(tokens.id_token).toBeTypeOf('string');
		expect(await ask(owner, { token: tokens.id_token! })).toEqual({ active: false });
		expect(await ask(owner, { token: tokens.id_token!, token_type_hint: 'access_token' })).toEqual({ active: false });
		expect(await ask(firstParty, { token: tokens.id_token! })).toEqual({ active: false });
	});

	it('an access token whose grant was revoked (its code was replayed)', async () => {
		const { code } = await issueTestCode(database.db, { client: owner, userId: user.id, now: clock.now() });
		const exchange = () =>
			handleTokenRequest(ctx, basicAuthorization(owner.id, owner.secret!), form({ grant_type: 'authorization_code', code, redirect_uri: TEST_REDIRECT_URI }));
		const tokens = await exchange();
		await rejectionOf(exchange);
		expect(await ask(owner, { token: tokens.access_token })).toEqual({ active: false });
		expect(await ask(owner, { token: tokens.refresh_token! })).toEqual({ active: false });
	});

	it('a tampered access token', async () => {
		const { access_token } = await tokensFor();
		const [h, p, s] = access_token.split('.');
		const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
		const forged = `${h}.${Buffer.from(JSON.stringify({ ...payload, scope: 'openid admin' })).toString('base64url')}.${s}`;
		expect(await ask(owner, { token: forged })).toEqual({ active: false });
	});

	it.each(['garbage', 'a.b.c', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', 'x'.repeat(2000)])('an unknown string %#', async (token) => {
		expect(await ask(owner, { token })).toEqual({ active: false });
	});
});

describe('introspecting refresh tokens', () => {
	it('an active refresh token: active, token_type refresh_token, client_id, sub, username, scope, exp (30 days)', async () => {
		const tokens = await tokensFor();
		const now = Math.floor(clock.now().getTime() / 1000);
		expect(await ask(owner, { token: tokens.refresh_token!, token_type_hint: 'refresh_token' })).toEqual({
			active: true,
			token_type: 'refresh_token',
			scope: 'openid profile email',
			client_id: owner.id,
			sub: user.id,
			username: 'introspected@example.com',
			iss: TEST_ISSUER,
			iat: now,
			exp: now + 30 * 24 * 3600
		});
	});

	it('found without a hint and with a wrong one', async () => {
		const tokens = await tokensFor();
		expect((await ask(owner, { token: tokens.refresh_token! })).active).toBe(true);
		expect((await ask(owner, { token: tokens.refresh_token!, token_type_hint: 'access_token' })).active).toBe(true);
	});

	it('another untrusted client gets {"active":false}; a trusted one gets the description', async () => {
		const tokens = await tokensFor();
		expect(await ask(stranger, { token: tokens.refresh_token! })).toEqual({ active: false });
		expect(await ask(firstParty, { token: tokens.refresh_token! })).toMatchObject({ active: true, client_id: owner.id });
	});

	it('a refresh token that was rotated (used) is inactive; its successor is active', async () => {
		const tokens = await tokensFor();
		clock.advance(30);
		const next = await handleTokenRequest(
			ctx,
			basicAuthorization(owner.id, owner.secret!),
			form({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token })
		);
		expect(await ask(owner, { token: tokens.refresh_token! })).toEqual({ active: false });
		expect((await ask(owner, { token: next.refresh_token! })).active).toBe(true);
	});

	it('an expired refresh token is inactive', async () => {
		const tokens = await tokensFor();
		clock.advance(30 * 24 * 3600 + 1);
		expect(await ask(owner, { token: tokens.refresh_token! })).toEqual({ active: false });
	});
});

describe('client_credentials access tokens', () => {
	it('are described with sub = client_id, the API as aud, its scope, and no username', async () => {
		const tokens = await handleTokenRequest(ctx, basicAuthorization(machine.id, machine.secret!), form({ grant_type: 'client_credentials' }));
		const description = await ask(machine, { token: tokens.access_token });
		expect(description).toMatchObject({ active: true, token_type: 'Bearer', client_id: machine.id, sub: machine.id, aud: REPORTS_API, scope: 'reports:read' });
		expect(description).not.toHaveProperty('username');
	});
});

describe('who may introspect', () => {
	it('a public client (token_endpoint_auth_method none) → invalid_client (401)', async () => {
		const tokens = await tokensFor();
		const error = await rejectionOf(() => ask(publicClient, { token: tokens.access_token }));
		expect(error.code).toBe('invalid_client');
		expect(error.status).toBe(401);
	});

	it('a missing token parameter → invalid_request', async () => {
		const error = await rejectionOf(() => ask(owner, {}));
		expect(error.code).toBe('invalid_request');
		expect(error.status).toBe(400);
	});

	it('revoked tokens become {"active":false} for the trusted client too', async () => {
		const tokens = await tokensFor();
		await revokeToken(ctx, owner, form({ token: tokens.access_token }));
		expect(await ask(firstParty, { token: tokens.access_token })).toEqual({ active: false });
	});
});
