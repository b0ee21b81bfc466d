import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../tests/support/database';
import {
	authorizationCodes,
	clients,
	consents,
	grants,
	initialAccessTokens,
	oneTimeTokens,
	jobLeases,
	rateLimits,
	refreshTokens,
	revokedAccessTokens,
	rpFlowLogs,
	rpSeenLogoutTokens,
	rpSessions,
	securityEvents,
	sessions,
	users
} from '../db/schema';
import { CLEANUP_JOB, removeExpiredData, runCleanup, type CleanupPolicy } from './cleanup';
import { takeLease } from './job-lease';

const database = useTestDatabase();
const NOW = new Date('2030-06-01T12:00:00Z');
const HOUR = 3600;
const DAY = 86_400;
const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000);
const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
const POLICY: CleanupPolicy = { tokenLifetimeSeconds: HOUR, rateLimitWindowSeconds: HOUR, abandonedClientAgeSeconds: 30 * DAY };

async function ids<T extends { [k: string]: unknown }>(rows: Promise<T[]>, key: keyof T): Promise<string[]> {
	return (await rows).map((r) => String(r[key])).sort();
}

/** One of everything the clean-up looks at, each either still useful (`keep-*`) or not (`gone-*`). */
async function buildWorld() {
	const { db } = database;
	await db.insert(users).values({ id: 'u1', email: 'cleanup@example.com', name: 'U', createdAt: ago(100 * DAY), updatedAt: ago(100 * DAY) });
	const client = (id: string, selfRegistered: boolean, createdAt: Date): typeof clients.$inferInsert => ({
		id,
		name: id,
		redirectURIs: ['https://rp.example.com/cb'],
		tokenEndpointAuthMethod: 'client_secret_basic',
		selfRegistered,
		createdAt
	});
	await db
		.insert(clients)
		.values([
			client('rp', false, ago(100 * DAY)),
			client('gone-abandoned', true, ago(31 * DAY)),
			client('keep-young', true, ago(29 * DAY)),
			client('keep-operator', false, ago(100 * DAY)),
			client('keep-has-grant', true, ago(100 * DAY)),
			client('keep-has-consent', true, ago(100 * DAY))
		]);
	await db.insert(consents).values({ userId: 'u1', clientId: 'keep-has-consent', scope: 'openid', updatedAt: ago(50 * DAY) });
	await db.insert(sessions).values([
		{ id: 'keep-live', secretHash: 'x', userId: 'u1', authTime: ago(DAY), createdAt: ago(DAY), expiresAt: later(DAY) },
		{ id: 'gone-expired', secretHash: 'x', userId: 'u1', authTime: ago(40 * DAY), createdAt: ago(40 * DAY), expiresAt: ago(10 * DAY) }
	]);
	const grant = (id: string, sessionId: string, createdAt: Date, revokedAt: Date | null = null, clientId = 'rp') => ({
		id,
		clientId,
		userId: 'u1',
		sessionId,
		scope: 'openid',
		authTime: createdAt,
		createdAt,
		revokedAt
	});
	await db.insert(grants).values([
		// Revoked long enough ago that its last access token has expired, session gone.
		grant('gone-revoked', 'ended', ago(5 * HOUR), ago(2 * HOUR)),
		// Revoked, but an access token it issued may still be in use.
		grant('keep-revoked-recently', 'ended', ago(5 * HOUR), ago(30 * 60)),
		// Its session still lives: back-channel logout finds the client through it.
		grant('keep-session-lives', 'keep-live', ago(40 * DAY), ago(20 * DAY)),
		// Nothing left: its only refresh token expired, session gone.
		grant('gone-nothing-left', 'ended', ago(40 * DAY)),
		// A live refresh token (offline_access, session gone).
		grant('keep-refreshable', 'ended', ago(40 * DAY)),
		// Created just now from a code: its tokens are fresh.
		grant('keep-new', 'ended', ago(10 * 60)),
		grant('keep-client-grant', 'ended', ago(10 * 60), null, 'keep-has-grant')
	]);
	await db.insert(authorizationCodes).values([
		{ codeHash: 'gone-code', grantId: 'keep-new', redirectURI: 'https://rp.example.com/cb', expiresAt: ago(9 * 60) },
		{ codeHash: 'keep-code', grantId: 'keep-new', redirectURI: 'https://rp.example.com/cb', expiresAt: later(30) }
	]);
	await db.insert(refreshTokens).values([
		{ tokenHash: 'gone-expired-rt', grantId: 'gone-nothing-left', createdAt: ago(40 * DAY), expiresAt: ago(10 * DAY) },
		{ tokenHash: 'keep-live-rt', grantId: 'keep-refreshable', createdAt: ago(DAY), expiresAt: later(29 * DAY) },
		// Rotated but unexpired: kept so that presenting it again is recognised as a replay.
		{ tokenHash: 'keep-rotated-rt', grantId: 'keep-refreshable', createdAt: ago(2 * DAY), expiresAt: later(28 * DAY), rotatedAt: ago(DAY) },
		{ tokenHash: 'gone-revoked-grant-rt', grantId: 'keep-revoked-recently', createdAt: ago(5 * HOUR), expiresAt: later(29 * DAY) }
	]);
	await db.insert(revokedAccessTokens).values([
		{ jti: 'gone-jti', expiresAt: ago(1) },
		{ jti: 'keep-jti', expiresAt: later(60) }
	]);
	await db.insert(rateLimits).values([
		{ key: 'gone-old-window', windowStart: ago(2 * HOUR), count: 3 },
		{ key: 'keep-current-window', windowStart: ago(10 * 60), count: 3 },
		{ key: 'keep-held-back', windowStart: ago(2 * HOUR), count: 30, blockedUntil: later(30) }
	]);
	await db.insert(initialAccessTokens).values([
		{ tokenHash: 'gone-iat', description: 'expired', expiresAt: ago(1), createdAt: ago(DAY) },
		{ tokenHash: 'keep-iat', description: 'valid', expiresAt: later(DAY), createdAt: ago(DAY) },
		{ tokenHash: 'keep-iat-forever', description: 'no expiry', createdAt: ago(DAY) }
	]);
	await db.insert(oneTimeTokens).values([
		{ id: 'gone-link', secretHash: 'x', purpose: 'reset-password', email: 'a@example.com', createdAt: ago(HOUR), expiresAt: ago(1) },
		{ id: 'keep-link', secretHash: 'x', purpose: 'reset-password', email: 'a@example.com', createdAt: ago(60), expiresAt: later(60) }
	]);
	const rpSession = (id: string, expiresAt: Date) => ({
		id,
		secretHash: 'x',
		site: 'site1',
		subject: 'u1',
		claims: {},
		idToken: 'x',
		createdAt: ago(DAY),
		expiresAt
	});
	await db.insert(rpSessions).values([rpSession('gone-rp', ago(1)), rpSession('keep-rp', later(HOUR))]);
	await db.insert(rpSeenLogoutTokens).values([
		{ site: 'site1', jti: 'gone-seen', expiresAt: ago(1) },
		{ site: 'site1', jti: 'keep-seen', expiresAt: later(60) }
	]);
	await db.insert(rpFlowLogs).values([
		{ id: 'gone-flow-log', secretHash: 'x', site: 'site1', createdAt: ago(HOUR), expiresAt: ago(1) },
		{ id: 'keep-flow-log', secretHash: 'x', site: 'site1', sessionId: 'keep-rp', createdAt: ago(HOUR), expiresAt: later(HOUR) }
	]);
	// The security log: kept SECURITY_LOG_RETENTION_DAYS (90 by default), however old the account.
	await db.insert(securityEvents).values([
		{ id: 'gone-old-sign-in', userId: 'u1', type: 'sign-in', ipAddress: '192.0.2.1', createdAt: ago(90 * DAY + 1) },
		{ id: 'keep-recent-sign-in', userId: 'u1', type: 'sign-in', ipAddress: '192.0.2.1', createdAt: ago(90 * DAY - 60) }
	]);
}

describe('removeExpiredData', () => {
	it('removes exactly what can no longer be used, and says how much', async () => {
		await buildWorld();
		const { db } = database;
		const report = await removeExpiredData(db, POLICY, NOW);
		expect(report).toEqual({
			sessions: 1,
			authorizationCodes: 1,
			refreshTokens: 2,
			grants: 2,
			revokedAccessTokens: 1,
			rateLimits: 1,
			initialAccessTokens: 1,
			oneTimeTokens: 1,
			rpSessions: 1,
			rpSeenLogoutTokens: 1,
			rpFlowLogs: 1,
			abandonedClients: 1,
			securityEvents: 1
		});
		const leftovers = (names: string[]) => names.filter((n) => n.startsWith('gone-'));
		const everything = [
			await ids(db.select({ id: sessions.id }).from(sessions), 'id'),
			await ids(db.select({ id: authorizationCodes.codeHash }).from(authorizationCodes), 'id'),
			await ids(db.select({ id: refreshTokens.tokenHash }).from(refreshTokens), 'id'),
			await ids(db.select({ id: grants.id }).from(grants), 'id'),
			await ids(db.select({ id: revokedAccessTokens.jti }).from(revokedAccessTokens), 'id'),
			await ids(db.select({ id: rateLimits.key }).from(rateLimits), 'id'),
			await ids(db.select({ id: initialAccessTokens.tokenHash }).from(initialAccessTokens), 'id'),
			await ids(db.select({ id: rpSessions.id }).from(rpSessions), 'id'),
			await ids(db.select({ id: rpSeenLogoutTokens.jti }).from(rpSeenLogoutTokens), 'id'),
			await ids(db.select({ id: clients.id }).from(clients), 'id'),
			await ids(db.select({ id: oneTimeTokens.id }).from(oneTimeTokens), 'id'),
			await ids(db.select({ id: rpFlowLogs.id }).from(rpFlowLogs), 'id'),
			await ids(db.select({ id: securityEvents.id }).from(securityEvents), 'id')
		];
		expect(everything.flatMap(leftovers)).toEqual([]);
		expect(everything[3]).toEqual(['keep-client-grant', 'keep-new', 'keep-refreshable', 'keep-revoked-recently', 'keep-session-lives']);
		expect(everything[2]).toEqual(['keep-live-rt', 'keep-rotated-rt']);
		expect(everything[9]).toEqual(['keep-has-consent', 'keep-has-grant', 'keep-operator', 'keep-young', 'rp']);
		// A second run finds nothing more.
		expect(Object.values(await removeExpiredData(db, POLICY, NOW)).every((n) => n === 0)).toBe(true);
	});

	it('keeps the security log exactly SECURITY_LOG_RETENTION_DAYS when set shorter', async () => {
		const { db } = database;
		await db.insert(securityEvents).values([
			{ id: 'week-old', userId: 'u1', type: 'sign-in-failed', detail: { reason: 'password' }, createdAt: ago(7 * DAY) },
			{ id: 'six-days-old', userId: 'u1', type: 'password-changed', createdAt: ago(6 * DAY) }
		]);
		const report = await removeExpiredData(db, { ...POLICY, securityLogRetentionSeconds: 7 * DAY }, NOW);
		expect(report.securityEvents).toBe(2); // the week-old line and the 89-day-old one
		expect(await ids(db.select({ id: securityEvents.id }).from(securityEvents), 'id')).toEqual(['six-days-old']);
	});
});

describe('runCleanup: one runner at a time, through the job lease', () => {
	it('two runs at once: exactly one does the work, the other does nothing', async () => {
		const { db } = database;
		await db
			.insert(sessions)
			.values({ id: 'race-expired', secretHash: 'x', userId: 'u1', authTime: ago(40 * DAY), createdAt: ago(40 * DAY), expiresAt: ago(1) });
		const [a, b] = await Promise.all([runCleanup(db, POLICY, 'instance-a', NOW), runCleanup(db, POLICY, 'instance-b', NOW)]);
		expect([a, b].filter((r) => r === null)).toHaveLength(1);
		expect((a ?? b)?.sessions).toBe(1);
	});

	it('while another instance holds the lease nothing is done; once it runs out, a run takes over', async () => {
		const { db } = database;
		await db.delete(jobLeases);
		expect(await takeLease(db, CLEANUP_JOB, 'crashed-instance', 300, NOW)).toBe(true);
		await db
			.insert(sessions)
			.values({ id: 'lease-expired', secretHash: 'x', userId: 'u1', authTime: ago(40 * DAY), createdAt: ago(40 * DAY), expiresAt: ago(1) });
		expect(await runCleanup(db, POLICY, 'instance-c', later(60))).toBeNull();
		expect((await runCleanup(db, POLICY, 'instance-c', later(300)))?.sessions).toBe(1);
		// It gave the lease back when done: the next run need not wait.
		expect(await runCleanup(db, POLICY, 'instance-d', later(301))).not.toBeNull();
	});
});
