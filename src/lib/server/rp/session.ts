import { and, eq, isNull } from 'drizzle-orm';
import type { Database } from '../db';
import { rpSessions } from '../db/schema';
import { generateSecret, hashSecret, isSessionTokenFormat, secretMatchesHash } from '../secrets';

/** A demo site's own session: what it learned from the verified ID token. */
export interface RPSession {
	id: string;
	site: string;
	subject: string;
	claims: Record<string, unknown>;
	idToken: string;
	expiresAt: Date;
}

export const RP_SESSION_TTL_MS = 8 * 3600 * 1000;

export async function createRPSession(
	db: Database,
	site: string,
	claims: Record<string, unknown> & { sub: string },
	idToken: string,
	now = new Date()
): Promise<{ token: string; session: RPSession }> {
	const id = generateSecret();
	const secret = generateSecret();
	const session: RPSession = { id, site, subject: claims.sub, claims, idToken, expiresAt: new Date(now.getTime() + RP_SESSION_TTL_MS) };
	const providerSessionId = typeof claims.sid === 'string' ? claims.sid : null;
	await db.insert(rpSessions).values({ ...session, providerSessionId, secretHash: hashSecret(secret), createdAt: now });
	return { token: `${id}.${secret}`, session };
}

/**
 * What a session cookie stands for: an active session, or none, and then whether the
 * provider ended it (back-channel logout), which the site tells the user once.
 */
export type RPSessionLookup = { session: RPSession; endedByProvider: false } | { session: null; endedByProvider: boolean };

const NO_SESSION: RPSessionLookup = { session: null, endedByProvider: false };

export async function validateRPSession(db: Database, site: string, token: string, now = new Date()): Promise<RPSessionLookup> {
	if (!isSessionTokenFormat(token)) return NO_SESSION;
	const [id, secret] = token.split('.');
	const [row] = await db
		.select()
		.from(rpSessions)
		.where(and(eq(rpSessions.id, id), eq(rpSessions.site, site)))
		.limit(1);
	if (!row || !secretMatchesHash(secret, row.secretHash)) return NO_SESSION;
	if (row.endedByProviderAt) {
		// Told once, to the browser holding the cookie; the caller deletes the cookie.
		await deleteRPSession(db, id);
		return { session: null, endedByProvider: true };
	}
	if (row.expiresAt <= now) {
		await deleteRPSession(db, id);
		return NO_SESSION;
	}
	return {
		session: { id: row.id, site: row.site, subject: row.subject, claims: row.claims, idToken: row.idToken, expiresAt: row.expiresAt },
		endedByProvider: false
	};
}

/**
 * Back-Channel Logout 1.0 §2.7: ends this site's sessions for the provider session `sid`,
 * or, when the token names only a user, all of that user's sessions here. Ended sessions
 * can no longer be used; their rows stay until the browser returns (or clean-up removes them
 * at their expiry) so the site can say "You were signed out everywhere".
 */
export async function endRPSessionsForLogout(db: Database, site: string, logout: { sid?: string; sub?: string }, now = new Date()): Promise<number> {
	const match = logout.sid ? eq(rpSessions.providerSessionId, logout.sid) : eq(rpSessions.subject, logout.sub!);
	const ended = await db
		.update(rpSessions)
		.set({ endedByProviderAt: now })
		.where(and(eq(rpSessions.site, site), match, isNull(rpSessions.endedByProviderAt)))
		.returning({ id: rpSessions.id });
	return ended.length;
}

export async function deleteRPSession(db: Database, id: string): Promise<void> {
	await db.delete(rpSessions).where(eq(rpSessions.id, id));
}
