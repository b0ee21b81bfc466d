import { eq } from 'drizzle-orm';
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
import { form, issueTestCode, rejectionOf, TEST_ISSUER, verifyWithPublishedJWKS } from '../../../../tests/support/oidc';
import { clients } from '../db/schema';
import { accessTokenAudience, verifyAccessToken } from './access-tokens';
import { validateAuthorizationRequest } from './authorize';
import { KeyStore } from './keys';
import { handleTokenRequest } from './token-endpoint';
import type { TokenContext } from './token-policy';
import { userInfo } from './userinfo';
import { saveResourceServer } from './resource-servers';

const database = useTestDatabase();
const clock = testClock();
let keys: KeyStore;
let ctx: TokenContext;
let machine: TestClient;
let webApp: TestClient;
let user: TestUser;
const REPORTS_API = 'https://reports.example.com/api';
const BILLING_API = 'https://billing.example.com/api';

beforeAll(async () => {
	keys = new KeyStore(database.db, 'client-credentials-test-secret');
	ctx = testProtocolContext(database.db, keys, clock.now);
	await saveResourceServer(database.db, { id: REPORTS_API, name: 'Reports', scopes: ['reports:read', 'reports:write'] });
	await saveResourceServer(database.db, { id: BILLING_API, name: 'Billing', scopes: ['billing:write'] });
	machine = await createTestClient(database.db, {
		trusted: false,
		grantTypes: ['client_credentials'],
		allowedResources: [REPORTS_API],
		allowedScopes: ['reports:read']
	});
	webApp = await createTestClient(database.db, { trusted: true });
	user = await createTestUser(database.db);
});

const clientCredentials = (client: TestClient, extra: Record<string, string | undefined> = {}) =>
	handleTokenRequest(ctx, basicAuthorization(client.id, client.secret!), form({ grant_type: 'client_credentials', ...extra }));

describe('RFC 6749 §4.4 client_credentials for a client registered with that grant', () => {
	it('answers an access token only: no id_token, no refresh_token', async () => {
		const tokens = await clientCredentials(machine);
		expect(tokens).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600, scope: 'reports:read' });
		expect(tokens).not.toHaveProperty('id_token');
		expect(tokens).not.toHaveProperty('refresh_token');
	});

	it('the access token (typ at+jwt) names the client as sub and client_id and its API as aud, verifiable through the JWKS', async () => {
		const tokens = await clientCredentials(machine);
		const { payload, header } = await verifyWithPublishedJWKS(keys, tokens.access_token, {
			issuer: TEST_ISSUER,
			audience: REPORTS_API,
			now: clock.now(),
			typ: 'at+jwt'
		});
		expect(header).toMatchObject({ alg: 'RS256', typ: 'at+jwt', kid: expect.any(String) });
		const iat = Math.floor(clock.now().getTime() / 1000);
		expect(payload).toMatchObject({ sub: machine.id, client_id: machine.id, iat, exp: iat + 3600 });
		expect(payload.jti).toBeTypeOf('string');
		expect(payload).not.toHaveProperty('sid');
		expect(payload.aud).not.toBe(accessTokenAudience(TEST_ISSUER));
	});

	it('OIDC scopes mean nothing without a user: openid/profile/email are dropped, allowed API scopes kept, still no id_token', async () => {
		const tokens = await clientCredentials(machine, { scope: 'openid profile email reports:read' });
		expect(tokens.scope).toBe('reports:read');
		expect(tokens).not.toHaveProperty('id_token');
		expect(decodeJwt(tokens.access_token).scope).toBe('reports:read');
	});

	it('client_secret_post works for a client registered with it', async () => {
		const poster = await createTestClient(database.db, {
			trusted: false,
			grantTypes: ['client_credentials'],
			tokenEndpointAuthMethod: 'client_secret_post',
			allowedResources: [REPORTS_API],
			allowedScopes: ['reports:read']
		});
		const tokens = await handleTokenRequest(ctx, null, form({ grant_type: 'client_credentials', client_id: poster.id, client_secret: poster.secret }));
		expect(decodeJwt(tokens.access_token).sub).toBe(poster.id);
	});

	it('every token has its own jti', async () => {
		const a = await clientCredentials(machine);
		const b = await clientCredentials(machine);
		expect(decodeJwt(a.access_token).jti).not.toBe(decodeJwt(b.access_token).jti);
	});

	it('a wrong secret → invalid_client (401)', async () => {
		const error = await rejectionOf(() => handleTokenRequest(ctx, basicAuthorization(machine.id, 'wrong'), form({ grant_type: 'client_credentials' })));
		expect(error.code).toBe('invalid_client');
		expect(error.status).toBe(401);
	});

	it('UserInfo refuses the token: there is no user (invalid_token, 401)', async () => {
		const tokens = await clientCredentials(machine);
		const error = await rejectionOf(() => userInfo(ctx, tokens.access_token));
		expect(error.code).toBe('invalid_token');
		expect(error.status).toBe(401);
	});

	it('the token stops working when the client is removed', async () => {
		const doomed = await createTestClient(database.db, {
			trusted: false,
			grantTypes: ['client_credentials'],
			allowedResources: [REPORTS_API],
			allowedScopes: ['reports:read']
		});
		const tokens = await clientCredentials(doomed);
		await expect(verifyAccessToken(ctx, tokens.access_token, REPORTS_API)).resolves.toMatchObject({ kind: 'client', clientId: doomed.id });
		await database.db.delete(clients).where(eq(clients.id, doomed.id));
		expect((await rejectionOf(() => verifyAccessToken(ctx, tokens.access_token, REPORTS_API))).code).toBe('invalid_token');
	});

	it('a client_credentials-only client cannot redeem an authorization code (unauthorized_client)', async () => {
		const { code } = await issueTestCode(database.db, { client: machine, userId: user.id, now: clock.now() });
		const error = await rejectionOf(() =>
			handleTokenRequest(
				ctx,
				basicAuthorization(machine.id, machine.secret!),
				form({ grant_type: 'authorization_code', code, redirect_uri: TEST_REDIRECT_URI })
			)
		);
		expect(error.code).toBe('unauthorized_client');
	});
});

describe('a client_credentials-only client at the authorization endpoint', () => {
	it('RFC 6749 §4.1.2.1: it may not request a code → unauthorized_client, sent back to its verified redirect URI', async () => {
		// Otherwise the user is shown a sign-in (or consent) for a code the client can never redeem.
		const query = new URLSearchParams({ client_id: machine.id, redirect_uri: TEST_REDIRECT_URI, response_type: 'code', scope: 'openid', state: 'st' });
		const result = await validateAuthorizationRequest(database.db, query);
		expect('rejected' in result ? result.rejected.error.code : 'accepted').toBe('unauthorized_client');
		expect('rejected' in result ? result.rejected.redirectURI : undefined).toBe(TEST_REDIRECT_URI);
	});
});

describe('RFC 8707 resources and allowed scopes (issue #6 finding 2)', () => {
	it('a scope the client was not allowed → invalid_scope, even one its API defines', async () => {
		expect((await rejectionOf(() => clientCredentials(machine, { scope: 'reports:write' }))).code).toBe('invalid_scope');
		expect((await rejectionOf(() => clientCredentials(machine, { scope: 'admin' }))).code).toBe('invalid_scope');
	});

	it('a resource the client was not allowed, an unknown one, or a malformed one → invalid_target', async () => {
		for (const resource of [BILLING_API, 'https://unknown.example.com/', 'not a uri', 'https://reports.example.com/api#x']) {
			expect((await rejectionOf(() => clientCredentials(machine, { resource }))).code, resource).toBe('invalid_target');
		}
	});

	it('resource selects the audience; without scope the token carries every scope allowed there', async () => {
		const both = await createTestClient(database.db, {
			trusted: false,
			grantTypes: ['client_credentials'],
			allowedResources: [REPORTS_API, BILLING_API],
			allowedScopes: ['reports:read', 'billing:write']
		});
		const billing = decodeJwt((await clientCredentials(both, { resource: BILLING_API })).access_token);
		expect([billing.aud, billing.scope]).toEqual([BILLING_API, 'billing:write']);
		const reports = decodeJwt((await clientCredentials(both, { scope: 'reports:read' })).access_token);
		expect([reports.aud, reports.scope]).toEqual([REPORTS_API, 'reports:read']);
		// Two allowed APIs and neither named: the client must say which.
		expect((await rejectionOf(() => clientCredentials(both))).code).toBe('invalid_target');
		expect((await rejectionOf(() => clientCredentials(both, { resource: BILLING_API, scope: 'reports:read' }))).code).toBe('invalid_scope');
	});

	it('a client allowed no resource gets no token at all', async () => {
		const bare = await createTestClient(database.db, { trusted: false, grantTypes: ['client_credentials'] });
		expect((await rejectionOf(() => clientCredentials(bare))).code).toBe('invalid_target');
	});
});

describe('client_credentials is refused to other clients', () => {
	it('a client not registered for it → unauthorized_client (400)', async () => {
		const error = await rejectionOf(() => clientCredentials(webApp));
		expect(error.code).toBe('unauthorized_client');
		expect(error.status).toBe(400);
	});

	it('a public client, even one registered for it → unauthorized_client, no token', async () => {
		for (const grantTypes of [['client_credentials'], ['authorization_code']]) {
			const publicClient = await createTestClient(database.db, { public: true, trusted: false, grantTypes });
			const error = await rejectionOf(() => handleTokenRequest(ctx, null, form({ grant_type: 'client_credentials', client_id: publicClient.id })));
			expect(error.code, grantTypes.join()).toBe('unauthorized_client');
		}
	});

	it('no client authentication at all → invalid_client', async () => {
		expect((await rejectionOf(() => handleTokenRequest(ctx, null, form({ grant_type: 'client_credentials' })))).code).toBe('invalid_client');
	});
});
