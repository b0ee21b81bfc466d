import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Database } from '../index';
import { preparedQuery } from '../prepared';
import { authorizationCodes, grants, users } from '../schema';
import { USER_COLUMNS } from './users';

/** An authorization code as issued: every column but `consumedAt`. */
export type NewAuthorizationCode = Required<Omit<typeof authorizationCodes.$inferInsert, 'consumedAt'>>;

const insertStatement = preparedQuery((db) =>
	db
		.insert(authorizationCodes)
		.values({
			codeHash: sql.placeholder('codeHash'),
			grantId: sql.placeholder('grantId'),
			redirectURI: sql.placeholder('redirectURI'),
			nonce: sql.placeholder('nonce'),
			codeChallenge: sql.placeholder('codeChallenge'),
			codeChallengeMethod: sql.placeholder('codeChallengeMethod'),
			expiresAt: sql.placeholder('expiresAt')
		})
		.prepare('insert_authorization_code')
);

export async function insertAuthorizationCode(db: Database, code: NewAuthorizationCode): Promise<void> {
	await insertStatement(db).execute(code);
}

// One statement marks the code used (only if it was not) and returns its grant and user.
const consumeStatement = preparedQuery((db) =>
	db
		.update(authorizationCodes)
		.set({ consumedAt: sql`${sql.placeholder('now')}::timestamptz` })
		.from(grants)
		.innerJoin(users, eq(users.id, grants.userId))
		.where(and(eq(authorizationCodes.codeHash, sql.placeholder('codeHash')), isNull(authorizationCodes.consumedAt), eq(grants.id, authorizationCodes.grantId)))
		.returning({
			grantId: grants.id,
			clientId: grants.clientId,
			scope: grants.scope,
			sessionId: grants.sessionId,
			authTime: grants.authTime,
			amr: grants.amr,
			acr: grants.acr,
			revokedAt: grants.revokedAt,
			redirectURI: authorizationCodes.redirectURI,
			nonce: authorizationCodes.nonce,
			codeChallenge: authorizationCodes.codeChallenge,
			expiresAt: authorizationCodes.expiresAt,
			user: USER_COLUMNS
		})
		.prepare('consume_authorization_code')
);

/**
 * Marks the code with this hash consumed, if it was not yet, and returns its grant, user and
 * bindings; undefined when there is no such unconsumed code.
 */
export async function markAuthorizationCodeConsumed(db: Database, codeHash: string, now: Date) {
	const [row] = await consumeStatement(db).execute({ codeHash, now: now.toISOString() });
	return row;
}

/** The grant of a code with this hash, consumed or not (to recognise a replay). */
export async function selectAuthorizationCodeGrant(db: Database, codeHash: string): Promise<string | undefined> {
	const [row] = await db.select({ grantId: authorizationCodes.grantId }).from(authorizationCodes).where(eq(authorizationCodes.codeHash, codeHash)).limit(1);
	return row?.grantId;
}
