import type { Database } from '../db';
import { selectRefreshTokenByHash } from '../db/queries/refresh-tokens';
import { hashSecret } from '../secrets';
import { verifyAccessToken, type VerifiedAccessToken } from './access-tokens';
import { OAuthError } from './errors';
import type { KeyStore } from './keys';

export type PresentedToken =
	| { type: 'access_token'; token: VerifiedAccessToken }
	| { type: 'refresh_token'; row: NonNullable<Awaited<ReturnType<typeof findRefreshToken>>> };

/** The refresh token with its grant and user, whatever its state. */
export async function findRefreshToken(db: Database, token: string) {
	return selectRefreshTokenByHash(db, hashSecret(token));
}

/**
 * Identifies a token presented to introspection or revocation, whichever kind it is
 * (`token_type_hint` only decides the order of the lookups, RFC 7662 §2.1). Returns null
 * for tokens that are unknown, expired, rotated or revoked.
 */
export async function findActiveToken(db: Database, keys: KeyStore, issuer: string, token: string, hint: string | undefined, now = new Date()): Promise<PresentedToken | null> {
	const looksLikeJWT = token.split('.').length === 3;
	const order = hint === 'refresh_token' || !looksLikeJWT ? ['refresh_token', 'access_token'] : ['access_token', 'refresh_token'];
	for (const type of order) {
		if (type === 'access_token' && looksLikeJWT) {
			try {
				return { type, token: await verifyAccessToken(db, keys, issuer, token, now, null) };
			} catch (error) {
				if (!(error instanceof OAuthError)) throw error;
			}
		} else if (type === 'refresh_token' && !looksLikeJWT) {
			const row = await findRefreshToken(db, token);
			if (row && !row.rotatedAt && !row.grant.revokedAt && row.expiresAt > now) return { type, row };
		}
	}
	return null;
}
