import { eq, sql } from 'drizzle-orm';
import type { Database } from '../db';
import { rateLimits } from '../db/schema';

export interface RateLimit {
	limit: number;
	windowSeconds: number;
}

/** Failed password attempts per account: enough for typos, too few for guessing. */
export const FAILED_SIGN_INS: RateLimit = { limit: 10, windowSeconds: 15 * 60 };

/** Seconds until `key` may try again, or 0 when it is under its limit. */
export async function retryAfterSeconds(db: Database, key: string, rule: RateLimit, now = new Date()): Promise<number> {
	const [row] = await db.select().from(rateLimits).where(eq(rateLimits.key, key)).limit(1);
	if (!row) return 0;
	const windowEnds = row.windowStart.getTime() + rule.windowSeconds * 1000;
	if (windowEnds <= now.getTime() || row.count < rule.limit) return 0;
	return Math.ceil((windowEnds - now.getTime()) / 1000);
}

/** Counts one event for `key` in the current window (a new window starts when the old one ended). */
export async function countEvent(db: Database, key: string, rule: RateLimit, now = new Date()): Promise<void> {
	const windowExpired = sql`${rateLimits.windowStart} <= ${new Date(now.getTime() - rule.windowSeconds * 1000).toISOString()}::timestamptz`;
	await db
		.insert(rateLimits)
		.values({ key, windowStart: now, count: 1 })
		.onConflictDoUpdate({
			target: rateLimits.key,
			set: {
				count: sql`case when ${windowExpired} then 1 else ${rateLimits.count} + 1 end`,
				windowStart: sql`case when ${windowExpired} then ${now.toISOString()}::timestamptz else ${rateLimits.windowStart} end`
			}
		});
}
