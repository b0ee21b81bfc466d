import type { AppConfig } from '../config';
import { longestWindowSeconds } from '../config-limits';
import { longestAccountMailWindowSeconds } from '../config-account-mail';
import type { Database } from '../db';
import { leaseHolder, runCleanup, type CleanupPolicy, type CleanupReport } from './cleanup';

/** Access and ID tokens live an hour (oidc/token-policy.ts). */
const TOKEN_LIFETIME_SECONDS = 3600;

/** The clean-up policy the configuration asks for. */
export function cleanupPolicy(config: Pick<AppConfig, 'limits' | 'cleanup'> & Partial<Pick<AppConfig, 'accountMail'>>): CleanupPolicy {
	return {
		tokenLifetimeSeconds: TOKEN_LIFETIME_SECONDS,
		rateLimitWindowSeconds: Math.max(longestWindowSeconds(config.limits), config.accountMail ? longestAccountMailWindowSeconds(config.accountMail) : 0),
		abandonedClientAgeSeconds: config.cleanup.abandonedClientAgeSeconds,
		securityLogRetentionSeconds: config.cleanup.securityLogRetentionDays * 86_400
	};
}

/** `sessions 3, grants 1` for the non-zero counts; `nothing` when all are zero. */
export function describeReport(report: CleanupReport): string {
	const parts = Object.entries(report)
		.filter(([, n]) => n > 0)
		.map(([what, n]) => `${what} ${n}`);
	return parts.length ? parts.join(', ') : 'nothing';
}

// Hot reload in `vite dev` runs init again: one schedule per process, the latest one.
const store = globalThis as typeof globalThis & { __ssoCleanupTimer?: ReturnType<typeof setTimeout> };

/**
 * Runs the clean-up every `intervalSeconds` on this instance, the first time after a random
 * part of the interval (so that start-up is not slowed and instances spread out). Each run
 * takes the job lease, so with many instances only one works at a time. The timer is unref'd:
 * it never keeps the process alive.
 */
export function scheduleCleanup(db: Database, policy: CleanupPolicy, intervalSeconds: number): void {
	clearTimeout(store.__ssoCleanupTimer);
	if (intervalSeconds <= 0) return;
	const holder = leaseHolder('server');
	const next = (delayMs: number) => {
		store.__ssoCleanupTimer = setTimeout(async () => {
			try {
				const report = await runCleanup(db, policy, holder);
				if (report && Object.values(report).some((n) => n > 0)) console.log(`[sso] clean-up removed ${describeReport(report)}`);
			} catch (error) {
				// One line: the next run will try again (e.g. after a database restart).
				console.error(`[sso] clean-up failed: ${(error as Error).message}`);
			}
			next(intervalSeconds * 1000);
		}, delayMs);
		store.__ssoCleanupTimer.unref();
	};
	next(Math.round(Math.random() * Math.min(intervalSeconds, 60) * 1000));
}
