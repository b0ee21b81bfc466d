import { eq, sql } from 'drizzle-orm';
import type { Database } from '../index';
import { preparedQuery } from '../prepared';
import { sessions, users } from '../schema';
import { USER_COLUMNS } from './users';

// Every provider request with a session cookie runs this.
const sessionByIDStatement = preparedQuery((db) =>
	db
		.select({
			id: sessions.id,
			secretHash: sessions.secretHash,
			userId: sessions.userId,
			authTime: sessions.authTime,
			amr: sessions.amr,
			expiresAt: sessions.expiresAt,
			lastSeenAt: sessions.lastSeenAt,
			user: USER_COLUMNS
		})
		.from(sessions)
		.innerJoin(users, eq(users.id, sessions.userId))
		.where(eq(sessions.id, sql.placeholder('id')))
		.limit(1)
		.prepare('session_by_id')
);

/** The session with this id, its secret's hash and its user, or undefined. */
export async function selectSessionByID(db: Database, id: string) {
	const [row] = await sessionByIDStatement(db).execute({ id });
	return row;
}
