import { and, eq, exists, gt, isNotNull, isNull, lte, notExists, or, sql } from 'drizzle-orm';
import { hostname } from 'node:os';
import type { Database } from '../db';
import {
	authorizationCodes,
	clients,
	consents,
	grants,
	initialAccessTokens,
	oneTimeTokens,
	rateLimits,
	refreshTokens,
	revokedAccessTokens,
	rpFlowLogs,
	rpSeenLogoutTokens,
	rpSessions,
	securityEvents,
	sessions
} from '../db/schema';
import { releaseLease, takeLease } from './job-lease';

export interface CleanupPolicy {
	/**
	 * The longest an access token or ID token lives (token-policy.ts: an hour): a
	 * grant is kept this long after it last issued one, so introspection and userinfo keep
	 * answering from the grant until every token it gave out has expired.
	 */
	tokenLifetimeSeconds: number;
	/** The longest window of any rate limit: a counter older than that (and not held back) is over. */
	rateLimitWindowSeconds: number;
	/** A self-registered client with no grant and no consent is abandoned after this. */
	abandonedClientAgeSeconds: number;
	/** How long a security log line is kept (SECURITY_LOG_RETENTION_DAYS); the default is 90 days. */
	securityLogRetentionSeconds?: number;
}

export const DEFAULT_SECURITY_LOG_RETENTION_SECONDS = 90 * 86_400;

/** How many rows of each kind one clean-up removed. */
export type CleanupReport = Record<
	| 'sessions'
	| 'authorizationCodes'
	| 'refreshTokens'
	| 'grants'
	| 'revokedAccessTokens'
	| 'rateLimits'
	| 'initialAccessTokens'
	| 'oneTimeTokens'
	| 'rpSessions'
	| 'rpSeenLogoutTokens'
	| 'rpFlowLogs'
	| 'abandonedClients'
	| 'securityEvents',
	number
>;

export const CLEANUP_JOB = 'cleanup';
/** Longer than any clean-up takes; if the runner dies, another instance takes over after this. */
const LEASE_SECONDS = 5 * 60;

/**
 * Deletes what can no longer be used: expired sessions, codes, refresh tokens and revocation
 * entries; grants that can yield nothing more; finished rate-limit counters; expired initial
 * access tokens and emailed links; the demo sites' expired sessions and logout-token replay entries; and
 * self-registered clients nobody ever used. Safe to run at any time and on any instance, but
 * meant to run under the lease (runCleanup) so that instances do not repeat each other's work.
 */
export async function removeExpiredData(db: Database, policy: CleanupPolicy, now = new Date()): Promise<CleanupReport> {
	const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000);
	const tokensIssuedSince = ago(policy.tokenLifetimeSeconds);
	const count = (rows: unknown[]) => rows.length;

	const removedSessions = count(await db.delete(sessions).where(lte(sessions.expiresAt, now)).returning({ id: sessions.id }));
	// A consumed code is kept until it expires so that a replay revokes its grant (codes.ts);
	// after that a replay is simply an unknown code.
	const removedCodes = count(await db.delete(authorizationCodes).where(lte(authorizationCodes.expiresAt, now)).returning({ id: authorizationCodes.codeHash }));
	// Rotated tokens stay until they expire (presenting one again revokes the grant: RFC 9700
	// §4.14.2); once their grant is revoked there is nothing left for a replay to protect.
	const revokedGrant = exists(
		db
			.select({ id: grants.id })
			.from(grants)
			.where(and(eq(grants.id, refreshTokens.grantId), isNotNull(grants.revokedAt)))
	);
	const removedRefreshTokens = count(
		await db
			.delete(refreshTokens)
			.where(or(lte(refreshTokens.expiresAt, now), revokedGrant))
			.returning({ id: refreshTokens.tokenHash })
	);
	// A grant can yield nothing more when it is revoked, or has no live refresh token or code
	// left, and the last token it issued has expired. It is kept while its provider session
	// lives: back-channel logout finds the clients to notify through the session's grants.
	const liveRefreshToken = exists(
		db
			.select({ id: refreshTokens.tokenHash })
			.from(refreshTokens)
			.where(and(eq(refreshTokens.grantId, grants.id), or(gt(refreshTokens.expiresAt, now), gt(refreshTokens.createdAt, tokensIssuedSince))))
	);
	const recentCode = exists(
		db
			.select({ id: authorizationCodes.codeHash })
			.from(authorizationCodes)
			.where(and(eq(authorizationCodes.grantId, grants.id), gt(authorizationCodes.expiresAt, tokensIssuedSince)))
	);
	const liveSession = exists(db.select({ id: sessions.id }).from(sessions).where(eq(sessions.id, grants.sessionId)));
	const removedGrants = count(
		await db
			.delete(grants)
			.where(
				and(
					sql`not ${liveSession}`,
					or(
						lte(grants.revokedAt, tokensIssuedSince),
						and(isNull(grants.revokedAt), lte(grants.createdAt, tokensIssuedSince), sql`not ${liveRefreshToken}`, sql`not ${recentCode}`)
					)
				)
			)
			.returning({ id: grants.id })
	);
	const removedRevocations = count(
		await db.delete(revokedAccessTokens).where(lte(revokedAccessTokens.expiresAt, now)).returning({ jti: revokedAccessTokens.jti })
	);
	const removedCounters = count(
		await db
			.delete(rateLimits)
			.where(and(lte(rateLimits.windowStart, ago(policy.rateLimitWindowSeconds)), or(isNull(rateLimits.blockedUntil), lte(rateLimits.blockedUntil, now))))
			.returning({ key: rateLimits.key })
	);
	const removedInitialTokens = count(
		await db.delete(initialAccessTokens).where(lte(initialAccessTokens.expiresAt, now)).returning({ hash: initialAccessTokens.tokenHash })
	);
	const removedOneTimeTokens = count(await db.delete(oneTimeTokens).where(lte(oneTimeTokens.expiresAt, now)).returning({ id: oneTimeTokens.id }));
	const removedRPSessions = count(await db.delete(rpSessions).where(lte(rpSessions.expiresAt, now)).returning({ id: rpSessions.id }));
	const removedSeenTokens = count(await db.delete(rpSeenLogoutTokens).where(lte(rpSeenLogoutTokens.expiresAt, now)).returning({ jti: rpSeenLogoutTokens.jti }));
	// The flow inspector's records of ended sessions (kept minutes); their flows go with them (cascade).
	const removedFlowLogs = count(await db.delete(rpFlowLogs).where(lte(rpFlowLogs.expiresAt, now)).returning({ id: rpFlowLogs.id }));
	// Anyone can register a client (RFC 7591); one nobody ever signed in to, or consented to,
	// within the grace period only takes up space. Operator-registered clients are never touched.
	const removedClients = count(
		await db
			.delete(clients)
			.where(
				and(
					eq(clients.selfRegistered, true),
					lte(clients.createdAt, ago(policy.abandonedClientAgeSeconds)),
					notExists(db.select({ id: grants.id }).from(grants).where(eq(grants.clientId, clients.id))),
					notExists(db.select({ id: consents.clientId }).from(consents).where(eq(consents.clientId, clients.id)))
				)
			)
			.returning({ id: clients.id })
	);
	// The security log holds addresses and browsers (personal data: GDPR Art. 5(1)(e), storage
	// limitation): kept only as long as the owner may need to look back.
	const securityLogSince = ago(policy.securityLogRetentionSeconds ?? DEFAULT_SECURITY_LOG_RETENTION_SECONDS);
	const removedSecurityEvents = count(
		await db.delete(securityEvents).where(lte(securityEvents.createdAt, securityLogSince)).returning({ id: securityEvents.id })
	);
	return {
		sessions: removedSessions,
		authorizationCodes: removedCodes,
		refreshTokens: removedRefreshTokens,
		grants: removedGrants,
		revokedAccessTokens: removedRevocations,
		rateLimits: removedCounters,
		initialAccessTokens: removedInitialTokens,
		oneTimeTokens: removedOneTimeTokens,
		rpSessions: removedRPSessions,
		rpSeenLogoutTokens: removedSeenTokens,
		rpFlowLogs: removedFlowLogs,
		abandonedClients: removedClients,
		securityEvents: removedSecurityEvents
	};
}

/** Names this process in the job lease (host, pid and a random part for two runs in one process). */
export function leaseHolder(role: string): string {
	return `${role}@${hostname()}:${process.pid}:${crypto.randomUUID().slice(0, 8)}`;
}

/**
 * One clean-up under the `job_lease` row: null (nothing done) when another instance, or the
 * CLI, is cleaning up right now.
 */
export async function runCleanup(db: Database, policy: CleanupPolicy, holder: string, now = new Date()): Promise<CleanupReport | null> {
	if (!(await takeLease(db, CLEANUP_JOB, holder, LEASE_SECONDS, now))) return null;
	try {
		return await removeExpiredData(db, policy, now);
	} finally {
		await releaseLease(db, CLEANUP_JOB, holder, now);
	}
}
