import { eq } from 'drizzle-orm';
import type { Database } from '../db';
import { selectSessionByID } from '../db/queries/sessions';
import { sessions } from '../db/schema';
import { generateSecret, hashSecret, isSessionTokenFormat, secretMatchesHash } from '../secrets';
import type { User } from './user';

/** Provider sign-in sessions in the Lucia design: https://lucia-auth.com/sessions/basic */
export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;
// Sliding expiry: a session used in the second half of its life is extended, at most one
// write per half-life instead of one per request.
const RENEW_WHEN_REMAINING_MS = SESSION_TTL_MS / 2;
// "Last seen" for the account console: precise to a few minutes, so a busy session costs one
// write per interval rather than one per request.
export const LAST_SEEN_INTERVAL_MS = 5 * 60 * 1000;
/** A User-Agent is chosen by the client: stored cut to this length, never unbounded. */
export const MAX_USER_AGENT_LENGTH = 512;

export interface Session {
	id: string;
	userId: string;
	authTime: Date;
	/** How the user authenticated (RFC 8176 values, space-separated): `pwd`, `fed`, ... */
	amr: string;
	expiresAt: Date;
}

export type SessionWithUser = Session & { user: User };

/** Where and how a sign-in happened; all optional, so scripts and tests may omit them. */
export interface SessionOptions {
	now?: Date;
	/** How the user just authenticated (RFC 8176 values, space-separated); `pwd` unless given. */
	amr?: string;
	userAgent?: string | null;
	ipAddress?: string | null;
	/** The sign-in form's submission id (auth/sign-in-submission.ts): a repeat replaces the session it made. */
	submission?: string | null;
}

/** Creates a session; the returned token (`id.secret`) goes in the cookie and nowhere else. */
export async function createSession(db: Database, userId: string, options: SessionOptions = {}): Promise<{ token: string; session: Session }> {
	const now = options.now ?? new Date();
	const id = generateSecret();
	const secret = generateSecret();
	const session: Session = { id, userId, authTime: now, amr: options.amr ?? 'pwd', expiresAt: new Date(now.getTime() + SESSION_TTL_MS) };
	const row = {
		...session,
		secretHash: hashSecret(secret),
		createdAt: now,
		lastSeenAt: now,
		userAgent: options.userAgent ? options.userAgent.slice(0, MAX_USER_AGENT_LENGTH) : null,
		ipAddress: options.ipAddress ? options.ipAddress.slice(0, 64) : null,
		submissionHash: options.submission ? hashSecret(options.submission) : null
	};
	const { userId: _, ...replacement } = row;
	const insert = db.insert(sessions).values(row);
	// A repeat of the same form by the same user takes the earlier session's place (its id and
	// secret change, so the earlier cookie stops working): one statement, safe in parallel.
	await (row.submissionHash ? insert.onConflictDoUpdate({ target: [sessions.userId, sessions.submissionHash], set: replacement }) : insert);
	return { token: `${id}.${secret}`, session };
}

/**
 * The session a cookie token names, or null when it is unknown, forged or expired.
 * `renewed` is set when the expiry moved, so the caller re-sends the cookie.
 */
export async function validateSessionToken(db: Database, token: string, now = new Date()): Promise<{ session: SessionWithUser; renewed: boolean } | null> {
	if (!isSessionTokenFormat(token)) return null;
	const [id, secret] = token.split('.');
	const row = await selectSessionByID(db, id);
	if (!row || !secretMatchesHash(secret, row.secretHash)) return null;
	const { secretHash: _, ...session } = row;
	if (now >= session.expiresAt) {
		await db.delete(sessions).where(eq(sessions.id, id));
		return null;
	}
	const { lastSeenAt, ...current } = session;
	const renewed = current.expiresAt.getTime() - now.getTime() < RENEW_WHEN_REMAINING_MS;
	const seenLongAgo = !lastSeenAt || now.getTime() - lastSeenAt.getTime() >= LAST_SEEN_INTERVAL_MS;
	// The fresh case (nearly every request) writes nothing; otherwise one UPDATE carries both.
	if (renewed || seenLongAgo) {
		if (renewed) current.expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
		await db.update(sessions).set({ expiresAt: current.expiresAt, lastSeenAt: now }).where(eq(sessions.id, id));
	}
	return { session: current, renewed };
}

/** Ends one session (sign-out). */
export async function invalidateSession(db: Database, sessionId: string): Promise<void> {
	await db.delete(sessions).where(eq(sessions.id, sessionId));
}

/**
 * A step-up (OIDC Core §3.1.2.1 `acr_values`): the signed-in user has just proven another factor,
 * so the session's methods and authentication time become those of this moment (`auth_time`).
 * The same session (and its `sid`) stays: the person is the one who signed it in.
 */
export async function recordStepUp(db: Database, sessionId: string, amr: string, now = new Date()): Promise<void> {
	await db.update(sessions).set({ amr, authTime: now }).where(eq(sessions.id, sessionId));
}
