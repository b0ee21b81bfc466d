import { createHash } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
import { serveJWKS, type JWKSServer } from '../../../../tests/support/jwks-server';
import { form, issueTestCode, TEST_ISSUER } from '../../../../tests/support/oidc';
import { verifyIDToken } from '../rp/verify';
import { KeyStore, type SigningAlgorithm } from './keys';
import { handleTokenRequest } from './token-endpoint';
import type { TokenContext } from './token-policy';
import type { TokenResponse } from './token-response';

const database = useTestDatabase();
const clock = testClock();
let keys: KeyStore;
let ctx: TokenContext;
let user: TestUser;
let jwksServer: JWKSServer;
const clientsByAlg = new Map<SigningAlgorithm, TestClient>();

/** The hash OIDC Core §3.1.3.6 pairs with each algorithm, computed here independently. */
const HASH: Record<SigningAlgorithm, string> = { RS256: 'sha256', ES256: 'sha256', EdDSA: 'sha512' };
const CURVE: Record<SigningAlgorithm, { kty: string; crv?: string }> = {
	RS256: { kty: 'RSA' },
	ES256: { kty: 'EC', crv: 'P-256' },
	EdDSA: { kty: 'OKP', crv: 'Ed25519' }
};

function expectedAtHash(accessToken: string, alg: SigningAlgorithm): string {
	const digest = createHash(HASH[alg]).update(accessToken, 'ascii').digest();
	return digest.subarray(0, digest.length / 2).toString('base64url');
}

beforeAll(async () => {
	keys = new KeyStore(database.db, 'algorithms-test-secret');
	ctx = testProtocolContext(database.db, keys, clock.now);
	user = await createTestUser(database.db);
	for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
		clientsByAlg.set(alg, await createTestClient(database.db, { trusted: true, idTokenSignedResponseAlg: alg }));
	}
	jwksServer = await serveJWKS(() => keys.publicJWKS());
});

afterAll(async () => {
	await jwksServer?.close();
});

async function tokensFor(alg: SigningAlgorithm, now = clock.now(), tokenContext = ctx, nonce = 'alg-nonce'): Promise<TokenResponse> {
	const client = clientsByAlg.get(alg)!;
	const { code } = await issueTestCode(database.db, { client, userId: user.id, now, nonce });
	return handleTokenRequest(
		tokenContext,
		basicAuthorization(client.id, client.secret!),
		form({ grant_type: 'authorization_code', code, redirect_uri: TEST_REDIRECT_URI })
	);
}

async function publishedKey(kid: string | undefined): Promise<JWK | undefined> {
	return (JSON.parse(await keys.publicJWKS()) as { keys: JWK[] }).keys.find((k) => k.kid === kid);
}

describe.each(['RS256', 'ES256', 'EdDSA'] as const)('id_token_signed_response_alg %s', (alg) => {
	it(`the ID token is signed with ${alg} and the kid of the provider's ${alg} key`, async () => {
		const tokens = await tokensFor(alg);
		const header = decodeProtectedHeader(tokens.id_token!);
		expect(header).toMatchObject({ alg, typ: 'JWT' });
		expect(header.kid).toBe((await keys.signingKey(alg)).kid);
		const jwk = await publishedKey(header.kid);
		expect(jwk).toMatchObject({ alg, use: 'sig', ...CURVE[alg] });
	});

	it('verifies through the published JWKS with only that algorithm allowed', async () => {
		const tokens = await tokensFor(alg);
		const jwks = createLocalJWKSet(JSON.parse(await keys.publicJWKS()));
		const client = clientsByAlg.get(alg)!;
		const { payload } = await jwtVerify(tokens.id_token!, jwks, { issuer: TEST_ISSUER, audience: client.id, algorithms: [alg], currentDate: clock.now() });
		expect(payload).toMatchObject({ sub: user.id, nonce: 'alg-nonce' });
		// ...and not with another algorithm (no confusion between the keys).
		const others = (['RS256', 'ES256', 'EdDSA'] as const).filter((a) => a !== alg);
		await expect(
			jwtVerify(tokens.id_token!, jwks, { issuer: TEST_ISSUER, audience: client.id, algorithms: others, currentDate: clock.now() })
		).rejects.toThrow();
	});

	it(`at_hash is the left half of the ${HASH[alg].toUpperCase()} of the access token`, async () => {
		const tokens = await tokensFor(alg);
		const jwks = createLocalJWKSet(JSON.parse(await keys.publicJWKS()));
		const { payload } = await jwtVerify(tokens.id_token!, jwks, { currentDate: clock.now() });
		expect(payload.at_hash).toBe(expectedAtHash(tokens.access_token, alg));
		expect(Buffer.from(payload.at_hash as string, 'base64url')).toHaveLength(alg === 'EdDSA' ? 32 : 16);
	});

	it('the access token stays RS256 (resource servers expect it)', async () => {
		const tokens = await tokensFor(alg);
		expect(decodeProtectedHeader(tokens.access_token)).toMatchObject({ alg: 'RS256', typ: 'at+jwt', kid: (await keys.signingKey('RS256')).kid });
	});

	it('the refreshed ID token keeps the algorithm', async () => {
		const tokens = await tokensFor(alg);
		const client = clientsByAlg.get(alg)!;
		const refreshed = await handleTokenRequest(
			ctx,
			basicAuthorization(client.id, client.secret!),
			form({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token })
		);
		expect(decodeProtectedHeader(refreshed.id_token!).alg).toBe(alg);
		const jwks = createLocalJWKSet(JSON.parse(await keys.publicJWKS()));
		const { payload } = await jwtVerify(refreshed.id_token!, jwks, { algorithms: [alg], currentDate: clock.now() });
		expect(payload.at_hash).toBe(expectedAtHash(refreshed.access_token, alg));
	});

	it('a relying party verifying over HTTP (rp/verify.ts, createRemoteJWKSet) accepts it', async () => {
		const live = { ...ctx, clock: () => new Date() };
		const tokens = await tokensFor(alg, new Date(), live, 'live-nonce');
		const payload = await verifyIDToken(tokens.id_token!, {
			issuer: TEST_ISSUER,
			clientId: clientsByAlg.get(alg)!.id,
			jwksURI: jwksServer.url,
			nonce: 'live-nonce'
		});
		expect(payload.sub).toBe(user.id);
	});
});
