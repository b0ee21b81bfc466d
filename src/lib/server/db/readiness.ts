import { sql } from 'drizzle-orm';
import type { Database } from './index';

/**
 * Whether the database answers a trivial query within `timeoutMs`: readiness for a load
 * balancer (a hung connection attempt must not hang the probe).
 */
export async function databaseAnswers(db: Database, timeoutMs = 2000): Promise<boolean> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
	try {
		return await Promise.race([db.execute(sql`select 1`).then(() => true), timeout]);
	} catch {
		return false;
	} finally {
		clearTimeout(timer);
	}
}
