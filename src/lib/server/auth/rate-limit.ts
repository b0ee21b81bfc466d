import { and, eq, like, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db';
import { rateLimits } from '../db/schema';
import type { GrowingDelay, RateRule, WindowLimit } from '../config-limits';

export type { GrowingDelay, RateRule, WindowLimit };

/** An admitted attempt: enough to give it back (refundAttempt) if it should not count. */
export interface Reservation {
	key: string;
	windowStart: Date;
}

export type AttemptDecision = { admitted: true; reservation: Reservation } | { admitted: false; retryAfterSeconds: number };

// Beyond 2^30 the delay is capped anyway; this keeps power() far from overflowing.
const MAX_DOUBLINGS = 30;

/**
 * Reserves one attempt for `key`, BEFORE the work it limits is done. The decision and the
 * count are one statement (`INSERT ... ON CONFLICT DO UPDATE ... WHERE ... RETURNING`): the
 * row is locked while it is decided, so a parallel burst is admitted at most up to the limit,
 * on any number of instances (the audit saw 18 of 60 parallel guesses pass a check-then-count
 * limit of 10). A held-back key is left unchanged, so refusals never extend the wait.
 */
export async function reserveAttempt(db: Database, key: string, rule: RateRule, now = new Date()): Promise<AttemptDecision> {
	const at = sql`${now.toISOString()}::timestamptz`;
	const windowEnded = sql`${rateLimits.windowStart} <= ${at} - ${rule.windowSeconds}::integer * interval '1 second'`;
	const count = sql`(case when ${windowEnded} then 1 else ${rateLimits.count} + 1 end)`;
	const windowStart = sql`(case when ${windowEnded} then ${at} else ${rateLimits.windowStart} end)`;
	const [row] = await db
		.insert(rateLimits)
		.values({ key, windowStart: now, count: 1, blockedUntil: holdBackAfterFirst(rule, now) })
		.onConflictDoUpdate({
			target: rateLimits.key,
			set: { count, windowStart, blockedUntil: holdBack(rule, count, windowStart, at) },
			setWhere: sql`${rateLimits.blockedUntil} is null or ${rateLimits.blockedUntil} <= ${at}`
		})
		.returning({ windowStart: rateLimits.windowStart });
	if (row) return { admitted: true, reservation: { key, windowStart: row.windowStart } };
	const [held] = await db.select({ blockedUntil: rateLimits.blockedUntil }).from(rateLimits).where(eq(rateLimits.key, key)).limit(1);
	const until = held?.blockedUntil?.getTime() ?? now.getTime();
	return { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil((until - now.getTime()) / 1000)) };
}

/**
 * Gives an admitted attempt back (it succeeded, or a later limit refused it before any work),
 * and lifts a window hold-back that it caused. Only within the same window: a newer window
 * owes it nothing.
 */
export async function refundAttempt(db: Database, reservation: Reservation, rule: RateRule): Promise<void> {
	const count = sql`greatest(${rateLimits.count} - 1, 0)`;
	await db
		.update(rateLimits)
		.set({
			count,
			blockedUntil:
				rule.kind === 'window' ? sql`case when ${count} < ${rule.limit}::integer then null else ${rateLimits.blockedUntil} end` : rateLimits.blockedUntil
		})
		.where(and(eq(rateLimits.key, reservation.key), eq(rateLimits.windowStart, reservation.windowStart)));
}

/** Forgets every attempt counted for `key` (e.g. the owner proved the password). */
export async function clearAttempts(db: Database, key: string): Promise<void> {
	await db.delete(rateLimits).where(eq(rateLimits.key, key));
}

/** Forgets every attempt counted for keys that start with `prefix` (taken literally, not as a pattern). */
export async function clearAttemptsWithPrefix(db: Database, prefix: string): Promise<void> {
	// LIKE's wildcards and its escape character (backslash, Postgres' default) in an email are literal.
	await db.delete(rateLimits).where(like(rateLimits.key, `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`));
}

/** The hold-back after the attempt that made the count `count` (SQL, evaluated in the upsert). */
function holdBack(rule: RateRule, count: SQL, windowStart: SQL, at: SQL): SQL {
	if (rule.kind === 'window') {
		return sql`case when ${count} >= ${rule.limit}::integer then ${windowStart} + ${rule.windowSeconds}::integer * interval '1 second' else null end`;
	}
	const doublings = sql`least(${count} - ${rule.freeAttempts}::integer - 1, ${MAX_DOUBLINGS}::integer)`;
	const seconds = sql`least(${rule.firstDelaySeconds}::double precision * power(2, ${doublings}), ${rule.maxDelaySeconds}::double precision)`;
	return sql`case when ${count} > ${rule.freeAttempts}::integer then ${at} + ${seconds} * interval '1 second' else null end`;
}

/** The same rule for the very first attempt (count 1), computed here for the INSERT. */
function holdBackAfterFirst(rule: RateRule, now: Date): Date | null {
	if (rule.kind === 'window') return rule.limit <= 1 ? new Date(now.getTime() + rule.windowSeconds * 1000) : null;
	return rule.freeAttempts < 1 ? new Date(now.getTime() + Math.min(rule.firstDelaySeconds, rule.maxDelaySeconds) * 1000) : null;
}
