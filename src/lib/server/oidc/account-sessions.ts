import { and, desc, eq, gt, ne } from 'drizzle-orm';
import type { Database } from '../db';
import { sessions } from '../db/schema';
import { describeUserAgent } from '../auth/user-agent';
import type { ProtocolContext } from './context';
import { endProviderSession, type BackchannelResult } from './logout';
import type { OutboundFormPOST, OutboundPolicy } from '../outbound-request';

/** One row of the account console's session list. */
export interface ActiveSession {
	id: string;
	/** "Chrome on Linux", from the User-Agent at sign-in. */
	device: string;
	ipAddress: string | null;
	createdAt: Date;
	lastSeenAt: Date;
	isCurrent: boolean;
}

/** The user's unexpired provider sessions, most recently used first, the current one marked. */
export async function listActiveSessions(db: Database, userId: string, currentSessionId: string, now = new Date()): Promise<ActiveSession[]> {
	const rows = await db
		.select({ id: sessions.id, userAgent: sessions.userAgent, ipAddress: sessions.ipAddress, createdAt: sessions.createdAt, lastSeenAt: sessions.lastSeenAt })
		.from(sessions)
		.where(and(eq(sessions.userId, userId), gt(sessions.expiresAt, now)))
		.orderBy(desc(sessions.lastSeenAt), desc(sessions.createdAt));
	return rows.map((row) => ({
		id: row.id,
		device: describeUserAgent(row.userAgent),
		ipAddress: row.ipAddress,
		createdAt: row.createdAt,
		lastSeenAt: row.lastSeenAt ?? row.createdAt,
		isCurrent: row.id === currentSessionId
	}));
}

type EndOptions = { outbound?: OutboundPolicy; post?: OutboundFormPOST };

/**
 * Ends one of the user's own other sessions (back-channel logout to its applications, as a
 * sign-out there would). A session id that is not this user's, or is the current one, ends
 * nothing and returns null, the same answer as an unknown id, so the form reveals nothing.
 */
export async function endOtherSessionOfUser(
	ctx: ProtocolContext,
	user: { userId: string; currentSessionId: string },
	sessionId: string,
	options: EndOptions = {}
): Promise<BackchannelResult[] | null> {
	if (sessionId === user.currentSessionId) return null;
	const [session] = await ctx.db
		.select({ id: sessions.id, userId: sessions.userId })
		.from(sessions)
		.where(and(eq(sessions.id, sessionId), eq(sessions.userId, user.userId)))
		.limit(1);
	if (!session) return null;
	return endProviderSession(ctx, session, options);
}

/** "Sign out all other sessions": every session of the user but the current one. */
export async function endOtherSessionsOfUser(
	ctx: ProtocolContext,
	user: { userId: string; currentSessionId: string },
	options: EndOptions = {}
): Promise<{ ended: number; results: BackchannelResult[] }> {
	const others = await ctx.db
		.select({ id: sessions.id, userId: sessions.userId })
		.from(sessions)
		.where(and(eq(sessions.userId, user.userId), ne(sessions.id, user.currentSessionId)));
	const results: BackchannelResult[] = [];
	// One session at a time, each with its own few parallel logout requests.
	for (const session of others) results.push(...(await endProviderSession(ctx, session, options)));
	return { ended: others.length, results };
}
