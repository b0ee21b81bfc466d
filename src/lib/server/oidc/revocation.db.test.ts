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
import { form, issueTestCode, PKCE_CHALLENGE, PKCE_VERIFIER, rejectionOf } from '../../../../tests/support/oidc';
import { introspect } from './introspection';
import { KeyStore } from './keys';
import { revokeToken } from './revocation';
import { handleTokenRequest } from './token-endpoint';
import type { TokenContext } from './token-policy';
import type { TokenResponse } from './token-response';
import { userInfo } from './userinfo';

const database = useTestDatabase();
const clock = testClock();
let keys: KeyStore;
let ctx: TokenContext;
let owner: TestClient;
let other: TestClient;
let publicClient: TestClient;
let user: TestUser;

beforeAll(async () => {
	keys = new KeyStore(database.db, 'revocation-test-secret');
	ctx = testProtocolContext(database.db, keys, clock.now);
	owner = await createTestClient(database.db, { trusted: true });
	other = await createTestClient(database.db, { trusted: true });
	publicClient = await createTestClient(database.db, { public: true, trusted: false });
	user = await createTestUser(database.db);
});

async function tokensFor(client: TestClient = owner): Promise<TokenResponse> {
	const { code } = await issueTestCode(database.db, { client, userId: user.id, now: clock.now() });
	return handleTokenRequest(
		ctx,
		basicAuthorization(client.id, client.secret!),
		form({ grant_type: 'authorization_code', code, redirect_uri: TEST_REDIRECT_URI })
	);
}

const revoke = (caller: TestClient, params: Record<string, string | undefined>) => revokeToken(ctx, caller, form(params));
const refresh = (refreshToken: string, as: TestClient = owner) =>
	handleTokenRequest(ctx, basicAuthorization(as.id, as.secret!), form({ grant_type: 'refresh_token', refresh_token: refreshToken }));
const isActive = async (token: string) => (await introspect(ctx, owner, form({ token }))).active;

async function userInfoRefuses(accessToken: string) {
	const error = await rejectionOf(() => userInfo(ctx, accessToken));
	expect(error.code).toBe('invalid_token');
	expect(error.status).toBe(401);
}

describe('RFC 7009 §2.1: revoking a refresh token revokes the whole grant', () => {
	it('its access tokens become inactive at introspection and UserInfo, and it no longer refreshes', async () => {
		const first = await tokensFor();
		clock.advance(5);
		const second = await refresh(first.refresh_token!);
		await expect(revoke(owner, { token: second.refresh_token!, token_type_hint: 'refresh_token' })).resolves.toBeUndefined();
		for (const accessToken of [first.access_token, second.access_token]) {
			expect(await isActive(accessToken)).toBe(false);
			await userInfoRefuses(accessToken);
		}
		expect(await isActive(second.refresh_token!)).toBe(false);
		const error = await rejectionOf(() => refresh(second.refresh_token!));
		expect(error.code).toBe('invalid_grant');
	});

	it('works without a token_type_hint and with a wrong one', async () => {
		for (const hint of [undefined, 'access_token']) {
			const tokens = await tokensFor();
			await revoke(owner, { token: tokens.refresh_token!, token_type_hint: hint });
			expect(await isActive(tokens.access_token), String(hint)).toBe(false);
			expect((await rejectionOf(() => refresh(tokens.refresh_token!))).code).toBe('invalid_grant');
		}
	});

	it('other grants of the same user and client are untouched', async () => {
		const revoked = await tokensFor();
		const kept = await tokensFor();
		await revoke(owner, { token: revoked.refresh_token! });
		expect(await isActive(kept.access_token)).toBe(true);
		await expect(refresh(kept.refresh_token!)).resolves.toMatchObject({ token_type: 'Bearer' });
	});

	it('a refresh token just rotated (still inside the reuse grace window) no longer refreshes once revoked', async () => {
		const first = await tokensFor();
		clock.advance(1);
		await refresh(first.refresh_token!);
		// The client revokes the token it held (e.g. on sign-out) right after a refresh in another tab.
		await revoke(owner, { token: first.refresh_token! });
		clock.advance(1);
		const error = await rejectionOf(() => refresh(first.refresh_token!));
		expect(error.code).toBe('invalid_grant');
	});
});

describe('RFC 7009 §2.1: revoking an access token revokes that token only', () => {
	it('it becomes inactive at introspection and UserInfo; the refresh token and a newer access token still work', async () => {
		const first = await tokensFor();
		clock.advance(5);
		const second = await refresh(first.refresh_token!);
		await revoke(owner, { token: first.access_token, token_type_hint: 'access_token' });
		expect(await isActive(first.access_token)).toBe(false);
		await userInfoRefuses(first.access_token);
		expect(await isActive(second.access_token)).toBe(true);
		await expect(userInfo(ctx, second.access_token)).resolves.toMatchObject({ sub: user.id });
		await expect(refresh(second.refresh_token!)).resolves.toMatchObject({ token_type: 'Bearer' });
	});

	it('revoking it twice is fine (§2.2: an invalid token is answered like a success)', async () => {
		const tokens = await tokensFor();
		await revoke(owner, { token: tokens.access_token });
		await expect(revoke(owner, { token: tokens.access_token })).resolves.toBeUndefined();
	});

	it('stays revoked until it would have expired anyway', async () => {
		const tokens = await tokensFor();
		await revoke(owner, { token: tokens.access_token });
		clock.advance(3599);
		expect(await isActive(tokens.access_token)).toBe(false);
	});
});

describe('RFC 7009 §2.2: unknown tokens', () => {
	it.each(['no-such-token', 'a.b.c', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'])('%s → resolves (200), nothing revoked', async (token) => {
		const tokens = await tokensFor();
		await expect(revoke(owner, { token })).resolves.toBeUndefined();
		expect(await isActive(tokens.access_token)).toBe(true);
	});

	it('an ID token is not a token revocation knows: resolves, and the grant stays', async () => {
		const tokens = await tokensFor();
		await expect(revoke(owner, { token: tokens.id_token! })).resolves.toBeUndefined();
		expect(await isActive(tokens.access_token)).toBe(true);
	});

	it('a missing token parameter → invalid_request', async () => {
		expect((await rejectionOf(() => revoke(owner, {}))).code).toBe('invalid_request');
	});
});

describe('RFC 7009 §2.1: only the client a token was issued to may revoke it', () => {
	it("another client's access token → unauthorized_client, and the token stays active", async () => {
		const tokens = await tokensFor();
		const error = await rejectionOf(() => revoke(other, { token: tokens.access_token }));
		expect(error.code).toBe('unauthorized_client');
		expect(error.status).toBe(400);
		expect(await isActive(tokens.access_token)).toBe(true);
	});

	it("another client's refresh token → unauthorized_client, and it still refreshes", async () => {
		const tokens = await tokensFor();
		expect((await rejectionOf(() => revoke(other, { token: tokens.refresh_token! }))).code).toBe('unauthorized_client');
		await expect(refresh(tokens.refresh_token!)).resolves.toMatchObject({ token_type: 'Bearer' });
	});

	it('a public client revokes its own refresh token with its client_id alone', async () => {
		const { code } = await issueTestCode(database.db, {
			client: publicClient,
			userId: user.id,
			now: clock.now(),
			scope: 'openid offline_access',
			codeChallenge: PKCE_CHALLENGE
		});
		const tokens = await handleTokenRequest(
			ctx,
			null,
			form({ grant_type: 'authorization_code', code, redirect_uri: TEST_REDIRECT_URI, client_id: publicClient.id, code_verifier: PKCE_VERIFIER })
		);
		expect(tokens.refresh_token).toBeTypeOf('string');
		await revoke(publicClient, { token: tokens.refresh_token! });
		const error = await rejectionOf(() =>
			handleTokenRequest(ctx, null, form({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: publicClient.id }))
		);
		expect(error.code).toBe('invalid_grant');
	});
});
