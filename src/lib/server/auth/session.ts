import { eq, sql } from 'drizzle-orm';
import { preparedQuery } from '../db/prepared';
import type { Database } from '../db';
import { sessions, users } from '../db/schema';
import { generateSecret, hashSecret, isSessionTokenFormat, secretMatchesHash } from '../secrets';

/** Provider sign-in sessions in the Lucia design: https://lucia-auth.com/sessions/basic */
export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;
// Sliding expiry: a session used in the second half of its life is extended, at most one
// write per half-life instead of one per request.
const RENEW_WHEN_REMAINING_MS = SESSION_TTL_MS / 2;

export interface Session {
	id: string;
	userId: string;
	authTime: Date;
	/** How the user authenticated (RFC 8176 values, space-separated): `pwd`, `fed`, ... */
	amr: string;
	expiresAt: Date;
}

export interface SessionUser {
	id: string;
	email: string;
	emailVerified: boolean;
	name: string;
}

export type SessionWithUser = Session & { user: SessionUser };

// Every provider request with a session cookie runs this.
const sessionByID = preparedQuery((db) =>
	db
		.select({
			id: sessions.id,
			secretHash: sessions.secretHash,
			userId: sessions.userId,
			authTime: sessions.authTime,
			amr: sessions.amr,
			expiresAt: sessions.expiresAt,
			user: { id: users.id, email: users.email, emailVerified: users.emailVerified, name: users.name }
		})
		.from(sessions)
		.innerJoin(users, eq(users.id, sessions.userId))
		.where(eq(sessions.id, sql.placeholder('id')))
		.limit(1)
		.prepare('session_by_id')
);

/**
 * Creates a session; the returned token (`id.secret`) goes in the cookie and nowhere else.
 * `amr` says how the user just authenticated (RFC 8176): `pwd` unless given.
 */
export async function createSession(db: Database, userId: string, now = new Date(), amr = 'pwd'): Promise<{ token: string; session: Session }> {
	const id = generateSecret();
	const secret = generateSecret();
	const session: Session = { id, userId, authTime: now, amr, expiresAt: new Date(now.getTime() + SESSION_TTL_MS) };
	await db.insert(sessions).values({ ...session, secretHash: hashSecret(secret), createdAt: now });
	return { token: `${id}.${secret}`, session };
}

/**
 * The session a cookie token names, or null when it is unknown, forged or expired.
 * `renewed` is set when the expiry moved, so the caller re-sends the cookie.
 */
export async function validateSessionToken(
	db: Database,
	token: string,
	now = new Date()
): Promise<{ session: SessionWithUser; renewed: boolean } | null> {
	if (!isSessionTokenFormat(token)) return null;
	const [id, secret] = token.split('.');
	const [row] = await sessionByID(db).execute({ id });
	if (!row || !secretMatchesHash(secret, row.secretHash)) return null;
	const { secretHash: _, ...session } = row;
	if (now >= session.expiresAt) {
		await db.delete(sessions).where(eq(sessions.id, id));
		return null;
	}
	if (session.expiresAt.getTime() - now.getTime() < RENEW_WHEN_REMAINING_MS) {
		session.expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
		await db.update(sessions).set({ expiresAt: session.expiresAt }).where(eq(sessions.id, id));
		return { session, renewed: true };
	}
	return { session, renewed: false };
}

/** Ends one session (sign-out). */
export async function invalidateSession(db: Database, sessionId: string): Promise<void> {
	await db.delete(sessions).where(eq(sessions.id, sessionId));
}
