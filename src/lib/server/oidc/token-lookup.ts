import type { Database } from '../db';
import { selectRefreshTokenByHash } from '../db/queries/refresh-tokens';
import { hashSecret } from '../secrets';
import { verifyAccessToken, type VerifiedAccessToken } from './access-tokens';
import { OAuthError } from './errors';
import type { ProtocolContext } from './context';

export type PresentedToken =
	{ type: 'access_token'; token: VerifiedAccessToken } | { type: 'refresh_token'; row: NonNullable<Awaited<ReturnType<typeof findRefreshToken>>> };

/** The refresh token with its grant and user, whatever its state. */
export async function findRefreshToken(db: Database, token: string) {
	return selectRefreshTokenByHash(db, hashSecret(token));
}

/**
 * Identifies a token presented to introspection or revocation, whichever kind it is
 * (`token_type_hint` only decides the order of the lookups, RFC 7662 §2.1). Returns null
 * for tokens that are unknown, expired, rotated or revoked.
 */
export async function findActiveToken(ctx: ProtocolContext, token: string, hint: string | undefined): Promise<PresentedToken | null> {
	const now = ctx.clock();
	const looksLikeJWT = token.split('.').length === 3;
	const order = hint === 'refresh_token' || !looksLikeJWT ? ['refresh_token', 'access_token'] : ['access_token', 'refresh_token'];
	for (const type of order) {
		if (type === 'access_token' && looksLikeJWT) {
			try {
				return { type, token: await verifyAccessToken(ctx, token, null) };
			} catch (error) {
				if (!(error instanceof OAuthError)) throw error;
			}
		} else if (type === 'refresh_token' && !looksLikeJWT) {
			const row = await findRefreshToken(ctx.db, token);
			if (row && !row.rotatedAt && !row.grant.revokedAt && row.expiresAt > now) return { type, row };
		}
	}
	return null;
}
