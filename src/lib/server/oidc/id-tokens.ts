import { sha256, sha512 } from '@oslojs/crypto/sha2';
import { encodeBase64urlNoPadding } from '@oslojs/encoding';
import { acrOf, parseAmr } from '../auth/authentication-strength';
import type { User } from '../auth/user';
import { userClaims } from './claims';
import type { Client } from './clients';
import type { SigningAlgorithm } from './keys';
import { signJWT } from './jwt-signer';
import type { TokenContext } from './token-policy';

/** The authorization an ID token reports on: when and how the user authenticated, in which session. */
export interface AuthenticationEvent {
	authTime: Date;
	amr: string;
	/** Null for grants from before `acr` was recorded: derived from `amr` then. */
	acr: string | null;
	sessionId: string;
}

/**
 * OIDC Core §2 / §3.1.3.6 ID token for `client`, signed with the algorithm the client
 * registered (id_token_signed_response_alg), carrying `at_hash` of the access token issued
 * with it.
 */
export async function signIDToken(
	ctx: TokenContext,
	client: Client,
	user: User,
	scope: string,
	authentication: AuthenticationEvent,
	issued: { accessToken: string; nonce: string | null }
): Promise<string> {
	const alg = client.idTokenSignedResponseAlg;
	return signJWT(ctx, {
		typ: 'JWT',
		alg,
		lifetimeSeconds: ctx.tokenPolicy.idTokenSeconds,
		subject: user.id,
		audience: client.id,
		claims: {
			...userClaims(user, scope),
			auth_time: Math.floor(authentication.authTime.getTime() / 1000),
			// OIDC Core §2 / RFC 8176: how the user authenticated (`pwd`, `fed`, ...).
			amr: authentication.amr.split(' '),
			// OIDC Core §2: the class the authentication reached, as chosen at authorization.
			acr: authentication.acr ?? acrOf(parseAmr(authentication.amr)),
			...(issued.nonce ? { nonce: issued.nonce } : {}),
			at_hash: leftHalfHash(issued.accessToken, alg),
			sid: authentication.sessionId
		}
	});
}

/**
 * OIDC Core §3.1.3.6 `at_hash`: the left half of the token's hash, with the hash of the ID
 * token's algorithm: SHA-256 for RS256/ES256, SHA-512 for EdDSA with Ed25519.
 */
export function leftHalfHash(token: string, alg: SigningAlgorithm): string {
	const bytes = new TextEncoder().encode(token);
	const digest = alg === 'EdDSA' ? sha512(bytes) : sha256(bytes);
	return encodeBase64urlNoPadding(digest.subarray(0, digest.length / 2));
}
