import { createHash, randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
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
import { form, issueTestCode, PKCE_CHALLENGE, PKCE_VERIFIER, rejectionOf, TEST_ISSUER, verifyWithPublishedJWKS } from '../../../../tests/support/oidc';
import { decideAuthorization, validateAuthorizationRequest } from './authorize';
import { issueAuthorizationCode } from './codes';
import { saveConsent } from './consent';
import { KeyStore } from './keys';
import { handleTokenRequest } from './token-endpoint';
import type { TokenContext } from './token-policy';
import { userInfo } from './userinfo';

const database = useTestDatabase();
const clock = testClock();
let keys: KeyStore;
let ctx: TokenContext;
let spa: TestClient;
let user: TestUser;

beforeAll(async () => {
	keys = new KeyStore(database.db, 'public-clients-test-secret');
	ctx = testProtocolContext(database.db, keys, clock.now);
	spa = await createTestClient(database.db, { public: true, trusted: false });
	user = await createTestUser(database.db);
	await saveConsent(database.db, user.id, spa.id, 'openid profile email', clock.now());
});

function authorizationQuery(overrides: Record<string, string | null> = {}): URLSearchParams {
	const params: Record<string, string | null> = {
		client_id: spa.id,
		redirect_uri: TEST_REDIRECT_URI,
		response_type: 'code',
		scope: 'openid profile email',
		state: 'spa-state',
		nonce: 'spa-nonce',
		...overrides
	};
	const q = new URLSearchParams();
	for (const [k, v] of Object.entries(params)) if (v !== null) q.set(k, v);
	return q;
}

/** RFC 7636 §4.1-4.2, computed here independently of the provider. */
function pkcePair() {
	const verifier = randomBytes(32).toString('base64url');
	return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

const publicExchange = (params: Record<string, string | undefined>) =>
	handleTokenRequest(ctx, null, form({ grant_type: 'authorization_code', redirect_uri: TEST_REDIRECT_URI, client_id: spa.id, ...params }));

describe('RFC 9700 §2.1.1: public clients must use PKCE S256 at the authorization endpoint', () => {
	it('no code_challenge → invalid_request, sent back to the (verified) redirect URI with state', async () => {
		const result = await validateAuthorizationRequest(database.db, authorizationQuery());
		expect('rejected' in result).toBe(true);
		if (!('rejected' in result)) return;
		expect(result.rejected.error.code).toBe('invalid_request');
		expect(result.rejected.redirectURI).toBe(TEST_REDIRECT_URI);
		expect(result.rejected.state).toBe('spa-state');
	});

	it('code_challenge_method=plain → invalid_request', async () => {
		const result = await validateAuthorizationRequest(database.db, authorizationQuery({ code_challenge: PKCE_VERIFIER, code_challenge_method: 'plain' }));
		expect('rejected' in result && result.rejected.error.code).toBe('invalid_request');
	});

	it('a challenge without a method (defaults to plain, RFC 7636 §4.3) → invalid_request', async () => {
		const result = await validateAuthorizationRequest(database.db, authorizationQuery({ code_challenge: PKCE_CHALLENGE }));
		expect('rejected' in result && result.rejected.error.code).toBe('invalid_request');
	});
});

describe('a public client completes the code flow with client_id and code_verifier only', () => {
	it('authorize (S256) → code → tokens with only client_id; the ID token is for the client; UserInfo works; no refresh token', async () => {
		const { verifier, challenge } = pkcePair();
		const validated = await validateAuthorizationRequest(database.db, authorizationQuery({ code_challenge: challenge, code_challenge_method: 'S256' }));
		if (!('request' in validated)) throw new Error(validated.rejected.error.message);
		const { session } = await createTestSession(database.db, user.id, clock.now());
		const signedIn = { sessionId: session.id, userId: user.id, authTime: session.authTime, amr: session.amr };
		expect(decideAuthorization(validated.request, signedIn, 'openid profile email', clock.now())).toEqual({ next: 'issue-code' });
		const code = await issueAuthorizationCode(database.db, validated.request, signedIn, clock.now());

		const tokens = await publicExchange({ code, code_verifier: verifier });
		expect(tokens.token_type).toBe('Bearer');
		// Untrusted and without offline_access: nothing long-lived for a client that cannot keep secrets.
		expect(tokens).not.toHaveProperty('refresh_token');
		const { payload } = await verifyWithPublishedJWKS(keys, tokens.id_token!, { issuer: TEST_ISSUER, audience: spa.id, now: clock.now() });
		expect(payload).toMatchObject({ sub: user.id, nonce: 'spa-nonce', sid: session.id });
		await expect(userInfo(ctx, tokens.access_token)).resolves.toMatchObject({ sub: user.id });
	});

	it('a missing code_verifier → invalid_grant', async () => {
		const { code } = await issueTestCode(database.db, { client: spa, userId: user.id, now: clock.now(), codeChallenge: PKCE_CHALLENGE });
		expect((await rejectionOf(() => publicExchange({ code }))).code).toBe('invalid_grant');
	});

	it('a wrong code_verifier → invalid_grant', async () => {
		const { code } = await issueTestCode(database.db, { client: spa, userId: user.id, now: clock.now(), codeChallenge: PKCE_CHALLENGE });
		expect((await rejectionOf(() => publicExchange({ code, code_verifier: pkcePair().verifier }))).code).toBe('invalid_grant');
	});

	it('RFC 9700 §4.8.2 downgrade: a code_verifier sent for a code issued without a challenge → invalid_grant', async () => {
		const { code } = await issueTestCode(database.db, { client: spa, userId: user.id, now: clock.now() });
		expect((await rejectionOf(() => publicExchange({ code, code_verifier: PKCE_VERIFIER }))).code).toBe('invalid_grant');
	});

	it('another public client cannot redeem the code with the right verifier (invalid_grant)', async () => {
		const otherSPA = await createTestClient(database.db, { public: true, trusted: false });
		const { code } = await issueTestCode(database.db, { client: spa, userId: user.id, now: clock.now(), codeChallenge: PKCE_CHALLENGE });
		const error = await rejectionOf(() => publicExchange({ code, code_verifier: PKCE_VERIFIER, client_id: otherSPA.id }));
		expect(error.code).toBe('invalid_grant');
	});
});

describe('RFC 6749 §2.3: a public client has no secret', () => {
	it('a client_secret in the body → invalid_client (401), and the code is not used up', async () => {
		const { code } = await issueTestCode(database.db, { client: spa, userId: user.id, now: clock.now(), codeChallenge: PKCE_CHALLENGE });
		const error = await rejectionOf(() => publicExchange({ code, code_verifier: PKCE_VERIFIER, client_secret: 'anything' }));
		expect(error.code).toBe('invalid_client');
		expect(error.status).toBe(401);
		await expect(publicExchange({ code, code_verifier: PKCE_VERIFIER })).resolves.toMatchObject({ token_type: 'Bearer' });
	});

	it('HTTP Basic with any secret → invalid_client', async () => {
		const { code } = await issueTestCode(database.db, { client: spa, userId: user.id, now: clock.now(), codeChallenge: PKCE_CHALLENGE });
		const error = await rejectionOf(() =>
			handleTokenRequest(
				ctx,
				basicAuthorization(spa.id, 'anything'),
				form({ grant_type: 'authorization_code', code, redirect_uri: TEST_REDIRECT_URI, code_verifier: PKCE_VERIFIER })
			)
		);
		expect(error.code).toBe('invalid_client');
	});
});
