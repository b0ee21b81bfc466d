import { and, desc, eq, gt, inArray, lt, notInArray } from 'drizzle-orm';
import type { Database } from '../db';
import { rpFlowLogs, rpFlowTraces } from '../db/schema';
import { generateSecret, hashSecret, isSessionTokenFormat, secretMatchesHash } from '../secrets';
import { boundTrace, type FlowTrace } from './flow-trace';

/** The newest flows a log keeps; older ones are deleted as new ones arrive. */
export const MAX_FLOWS_PER_LOG = 5;
/** How long the flow that ended a session stays visible to its owner. */
export const ENDED_LOG_TTL_MS = 10 * 60 * 1000;

export interface FlowLog {
	id: string;
	site: string;
	sessionId: string | null;
}

/**
 * Opens a fresh log for this browser at `site` (a sign-in, successful or not). The log the
 * browser held before is deleted: a new sign-in (perhaps by someone else on a shared
 * computer) must never show the previous person's flows.
 */
export async function openFlowLog(
	db: Database,
	input: { site: string; previousToken?: string; sessionId?: string; subject?: string; providerSessionId?: string; expiresAt: Date },
	now = new Date()
): Promise<{ token: string; log: FlowLog }> {
	if (input.previousToken) {
		const previous = await findFlowLog(db, input.site, input.previousToken, now);
		if (previous) await db.delete(rpFlowLogs).where(eq(rpFlowLogs.id, previous.id));
	}
	// Ended logs live minutes; nothing else removes them, so each new log sweeps its site's.
	await db.delete(rpFlowLogs).where(and(eq(rpFlowLogs.site, input.site), lt(rpFlowLogs.expiresAt, now)));
	const id = generateSecret();
	const secret = generateSecret();
	await db.insert(rpFlowLogs).values({
		id,
		secretHash: hashSecret(secret),
		site: input.site,
		sessionId: input.sessionId ?? null,
		subject: input.subject ?? null,
		providerSessionId: input.providerSessionId ?? null,
		createdAt: now,
		expiresAt: input.expiresAt
	});
	return { token: `${id}.${secret}`, log: { id, site: input.site, sessionId: input.sessionId ?? null } };
}

/** The log behind an inspector cookie, if the secret matches, it is this site's and it has not expired. */
export async function findFlowLog(db: Database, site: string, token: string, now = new Date()): Promise<FlowLog | null> {
	if (!isSessionTokenFormat(token)) return null;
	const [id, secret] = token.split('.');
	const [row] = await db
		.select()
		.from(rpFlowLogs)
		.where(and(eq(rpFlowLogs.id, id), eq(rpFlowLogs.site, site)))
		.limit(1);
	if (!row || !secretMatchesHash(secret, row.secretHash) || row.expiresAt <= now) return null;
	return { id: row.id, site: row.site, sessionId: row.sessionId };
}

/** Stores one flow (bounded in size) and keeps only the newest MAX_FLOWS_PER_LOG. */
export async function appendFlow(db: Database, logId: string, trace: FlowTrace, now = new Date()): Promise<void> {
	const bounded = boundTrace(trace);
	const json = JSON.stringify(bounded);
	await db.insert(rpFlowTraces).values({ id: generateSecret(), logId, recordedAt: now, sizeBytes: new TextEncoder().encode(json).length, trace: bounded });
	const keep = db
		.select({ id: rpFlowTraces.id })
		.from(rpFlowTraces)
		.where(eq(rpFlowTraces.logId, logId))
		.orderBy(desc(rpFlowTraces.recordedAt), desc(rpFlowTraces.id))
		.limit(MAX_FLOWS_PER_LOG);
	await db.delete(rpFlowTraces).where(and(eq(rpFlowTraces.logId, logId), notInArray(rpFlowTraces.id, keep)));
}

/** The log's flows, newest first. */
export async function readFlows(db: Database, logId: string): Promise<FlowTrace[]> {
	const rows = await db
		.select({ trace: rpFlowTraces.trace })
		.from(rpFlowTraces)
		.where(eq(rpFlowTraces.logId, logId))
		.orderBy(desc(rpFlowTraces.recordedAt), desc(rpFlowTraces.id));
	return rows.map((r) => r.trace);
}

/**
 * A session is ending on purpose (sign-out, back-channel logout): its logs are detached from
 * it (or they would go with it), emptied of the session's flows, and kept a few minutes for
 * the flow that ended it. `match` names the session (this site's id) or, for a logout token,
 * the provider session `sid` or the user `sub` — also matching logs already ended by an
 * RP-initiated sign-out, so they show the back-channel call that followed. Returns the log ids.
 */
export async function endFlowLogs(
	db: Database,
	site: string,
	match: { sessionId: string } | { sid?: string; sub?: string },
	now = new Date()
): Promise<string[]> {
	let which;
	if ('sessionId' in match) which = eq(rpFlowLogs.sessionId, match.sessionId);
	else if (match.sid) which = eq(rpFlowLogs.providerSessionId, match.sid);
	else if (match.sub) which = eq(rpFlowLogs.subject, match.sub);
	else return [];
	const logs = await db
		.select({ id: rpFlowLogs.id, sessionId: rpFlowLogs.sessionId })
		.from(rpFlowLogs)
		.where(and(eq(rpFlowLogs.site, site), which, gt(rpFlowLogs.expiresAt, now)));
	if (logs.length === 0) return [];
	const ids = logs.map((l) => l.id);
	// Only logs still attached lose their flows; an already ended log keeps its sign-out flow.
	const attached = logs.filter((l) => l.sessionId !== null).map((l) => l.id);
	if (attached.length > 0) {
		await db.delete(rpFlowTraces).where(inArray(rpFlowTraces.logId, attached));
		await db
			.update(rpFlowLogs)
			.set({ sessionId: null, expiresAt: new Date(now.getTime() + ENDED_LOG_TTL_MS) })
			.where(inArray(rpFlowLogs.id, attached));
	}
	return ids;
}
