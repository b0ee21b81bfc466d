import { and, eq, lte } from 'drizzle-orm';
import type { Database } from '../db';
import { jobLeases } from '../db/schema';

/**
 * Takes the lease on job `name` for `holder` until `now + seconds`, if nobody holds it. One
 * conditional upsert decides: of any number of instances trying at once, exactly one gets a
 * row back. A holder that dies loses the lease when it runs out.
 */
export async function takeLease(db: Database, name: string, holder: string, seconds: number, now = new Date()): Promise<boolean> {
	const leaseUntil = new Date(now.getTime() + seconds * 1000);
	const [row] = await db
		.insert(jobLeases)
		.values({ name, holder, leaseUntil })
		.onConflictDoUpdate({ target: jobLeases.name, set: { holder, leaseUntil }, setWhere: lte(jobLeases.leaseUntil, now) })
		.returning({ holder: jobLeases.holder });
	return row !== undefined;
}

/** Gives the lease back early (only if `holder` still holds it), so the next run need not wait. */
export async function releaseLease(db: Database, name: string, holder: string, now = new Date()): Promise<void> {
	await db
		.update(jobLeases)
		.set({ leaseUntil: now })
		.where(and(eq(jobLeases.name, name), eq(jobLeases.holder, holder)));
}

/** Who holds the lease on `name`, and until when (for messages). */
export async function currentLease(db: Database, name: string): Promise<{ holder: string; leaseUntil: Date } | null> {
	const [row] = await db.select({ holder: jobLeases.holder, leaseUntil: jobLeases.leaseUntil }).from(jobLeases).where(eq(jobLeases.name, name)).limit(1);
	return row ?? null;
}
