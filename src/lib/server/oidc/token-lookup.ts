import { eq, sql } from 'drizzle-orm';
import { preparedQuery } from '../db/prepared';
import type { Database } from '../db';
import { grants, refreshTokens, users } from '../db/schema';
import { hashSecret } from '../secrets';
import { verifyAccessToken, type VerifiedAccessToken } from './access-tokens';
import { OAuthError } from './errors';
import type { ProtocolContext } from './context';

export type PresentedToken =
	| { type: 'access_token'; token: VerifiedAccessToken }
	| { type: 'refresh_token'; row: NonNullable<Awaited<ReturnType<typeof findRefreshToken>>> };

/** The refresh token with its grant and user, whatever its state. */
export async function findRefreshToken(db: Database, token: string) {
	const [row] = await refreshTokenByHash(db).execute({ tokenHash: hashSecret(token) });
	return row;
}

const refreshTokenByHash = preparedQuery((db) =>
	db
		.select({
			tokenHash: refreshTokens.tokenHash,
			expiresAt: refreshTokens.expiresAt,
			createdAt: refreshTokens.createdAt,
			rotatedAt: refreshTokens.rotatedAt,
			grant: { id: grants.id, clientId: grants.clientId, scope: grants.scope, authTime: grants.authTime, amr: grants.amr, acr: grants.acr, sessionId: grants.sessionId, revokedAt: grants.revokedAt },
			user: { id: users.id, email: users.email, emailVerified: users.emailVerified, name: users.name }
		})
		.from(refreshTokens)
		.innerJoin(grants, eq(grants.id, refreshTokens.grantId))
		.innerJoin(users, eq(users.id, grants.userId))
		.where(eq(refreshTokens.tokenHash, sql.placeholder('tokenHash')))
		.limit(1)
		.prepare('refresh_token_by_hash')
);

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
