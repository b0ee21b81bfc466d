import { eq, sql } from 'drizzle-orm';
import type { Database } from '../index';
import { preparedQuery } from '../prepared';
import { grants, refreshTokens, users } from '../schema';
import { USER_COLUMNS } from './users';

const byHashStatement = preparedQuery((db) =>
	db
		.select({
			tokenHash: refreshTokens.tokenHash,
			expiresAt: refreshTokens.expiresAt,
			createdAt: refreshTokens.createdAt,
			rotatedAt: refreshTokens.rotatedAt,
			grant: {
				id: grants.id,
				clientId: grants.clientId,
				scope: grants.scope,
				authTime: grants.authTime,
				amr: grants.amr,
				acr: grants.acr,
				sessionId: grants.sessionId,
				revokedAt: grants.revokedAt
			},
			user: USER_COLUMNS
		})
		.from(refreshTokens)
		.innerJoin(grants, eq(grants.id, refreshTokens.grantId))
		.innerJoin(users, eq(users.id, grants.userId))
		.where(eq(refreshTokens.tokenHash, sql.placeholder('tokenHash')))
		.limit(1)
		.prepare('refresh_token_by_hash')
);

/** The refresh token with this hash, its grant and user, whatever its state; or undefined. */
export async function selectRefreshTokenByHash(db: Database, tokenHash: string) {
	const [row] = await byHashStatement(db).execute({ tokenHash });
	return row;
}

/** A refresh token as issued: every column but `rotatedAt`. */
export type NewRefreshToken = Required<Omit<typeof refreshTokens.$inferInsert, 'rotatedAt'>>;

const insertStatement = preparedQuery((db) =>
	db
		.insert(refreshTokens)
		.values({
			tokenHash: sql.placeholder('tokenHash'),
			grantId: sql.placeholder('grantId'),
			createdAt: sql.placeholder('createdAt'),
			expiresAt: sql.placeholder('expiresAt')
		})
		// A successor is derived, not random: a retry inside the grace window inserts it again.
		.onConflictDoNothing()
		.prepare('insert_refresh_token')
);

/** Stores a refresh token; storing the same one again (a retried rotation) changes nothing. */
export async function insertRefreshToken(db: Database, token: NewRefreshToken): Promise<void> {
	await insertStatement(db).execute(token);
}
