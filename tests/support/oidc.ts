import { createHash } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import type { Database } from '../../src/lib/server/db/index';
import type { AuthorizationRequest } from '../../src/lib/server/oidc/authorize';
import { issueAuthorizationCode } from '../../src/lib/server/oidc/codes';
import type { KeyStore } from '../../src/lib/server/oidc/keys';
import { createTestSession, TEST_REDIRECT_URI, type TestClient } from './fixtures';

export const TEST_ISSUER = 'https://op.example.com';
/** RFC 7636 Appendix B. */
export const PKCE_VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
export const PKCE_CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

export interface IssuedTestCode {
	code: string;
	sessionId: string;
	authTime: Date;
}

/**
 * What the authorization endpoint does after a signed-in user approves: a session (whose
 * authTime is `authTime`) and a code for `client`.
 */
export async function issueTestCode(
	db: Database,
	options: {
		client: TestClient;
		userId: string;
		now: Date;
		authTime?: Date;
		scope?: string;
		nonce?: string;
		codeChallenge?: string;
		redirectURI?: string;
		state?: string;
	}
): Promise<IssuedTestCode> {
	const authTime = options.authTime ?? options.now;
	const { session } = await createTestSession(db, options.userId, authTime);
	const request: AuthorizationRequest = {
		client: options.client,
		redirectURI: options.redirectURI ?? TEST_REDIRECT_URI,
		scope: options.scope ?? 'openid profile email',
		state: options.state,
		nonce: options.nonce,
		codeChallenge: options.codeChallenge,
		prompt: new Set()
	};
	const code = await issueAuthorizationCode(db, request, { sessionId: session.id, userId: options.userId, authTime, amr: session.amr }, options.now);
	return { code, sessionId: session.id, authTime };
}

/** Form parameters for the token endpoint, as the Map handleTokenRequest takes. */
export function form(params: Record<string, string | undefined>): Map<string, string> {
	const map = new Map<string, string>();
	for (const [k, v] of Object.entries(params)) if (v !== undefined) map.set(k, v);
	return map;
}

/** OIDC Core §3.1.3.6 at_hash for RS256, computed independently of the provider's code. */
export function atHash(accessToken: string): string {
	return createHash('sha256').update(accessToken, 'ascii').digest().subarray(0, 16).toString('base64url');
}

/** Verifies a JWT only through the published JWKS, as a relying party would. */
export async function verifyWithPublishedJWKS(
	keys: KeyStore,
	token: string,
	expected: { issuer: string; audience: string; now: Date; typ?: string }
): Promise<{ payload: JWTPayload; header: ReturnType<typeof decodeProtectedHeader> }> {
	const jwks = createLocalJWKSet(JSON.parse(await keys.publicJWKS()));
	const { payload } = await jwtVerify(token, jwks, {
		issuer: expected.issuer,
		audience: expected.audience,
		algorithms: ['RS256'],
		currentDate: expected.now,
		...(expected.typ ? { typ: expected.typ } : {})
	});
	return { payload, header: decodeProtectedHeader(token) };
}

/** Runs `fn` and returns the error it throws (fails if it resolves). */
export async function rejectionOf(fn: () => Promise<unknown>): Promise<Error & { code?: string; status?: number; description?: string }> {
	try {
		await fn();
	} catch (error) {
		return error as Error & { code?: string; status?: number; description?: string };
	}
	throw new Error('expected the call to fail, but it succeeded');
}
