import { CLEANUP_JOB, leaseHolder, runCleanup } from '../maintenance/cleanup';
import { currentLease } from '../maintenance/job-lease';
import { cleanupPolicy } from '../maintenance/schedule';
import { openConfiguredDatabase } from './database';

const USAGE = `npm run cleanup
  deletes expired sessions, codes, refresh tokens, grants that can yield nothing more,
  finished rate-limit counters, expired initial access tokens, the demo sites' expired
  sessions and logout-token entries, and self-registered clients nobody used
  (CLEANUP_ABANDONED_CLIENTS_AFTER, default 30d), and security log lines older than
  SECURITY_LOG_RETENTION_DAYS (default 90); prints what it removed`;

/** The server runs this every CLEANUP_INTERVAL; the command runs it now, under the same lease. */
export async function main(args: string[], env: Record<string, string | undefined>): Promise<number> {
	if (args.length > 0) {
		console.log(USAGE);
		return args[0] === '--help' || args[0] === 'help' ? 0 : 2;
	}
	const { handle, config } = await openConfiguredDatabase(env);
	try {
		const report = await runCleanup(handle.db, cleanupPolicy(config), leaseHolder('cli'));
		if (!report) {
			const lease = await currentLease(handle.db, CLEANUP_JOB);
			console.log(`another clean-up is running (${lease?.holder ?? 'unknown'}, lease until ${lease?.leaseUntil.toISOString() ?? '?'}); nothing done`);
			return 1;
		}
		for (const [what, n] of Object.entries(report)) console.log(`${what.padEnd(20)} ${n}`);
		return 0;
	} finally {
		await handle.close();
	}
}
