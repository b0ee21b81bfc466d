import { eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestClient, createTestSession, createTestUser, TEST_REDIRECT_URI, testClock } from '../../../../tests/support/fixtures';
import { useTestDatabase } from '../../../../tests/support/database';
import { testProtocolContext } from '../../../../tests/support/protocol-context';
import { grants, upstreamIdentities } from '../db/schema';
import { recordFailedSignIn } from '../auth/failed-sign-in-log';
import { issueOneTimeToken } from '../auth/one-time-tokens';
import { signInWithPassword, type SignInLimits } from '../auth/password-sign-in';
import { recordSecurityEvent } from '../auth/security-log';
import { validateSessionToken } from '../auth/session';
import type { OutboundFormPOST } from '../outbound-request';
import { deleteAccount, signOutElsewhereAfterPasswordChange } from './account-settings';
import { issueAuthorizationCode } from './codes';
import type { ProtocolContext } from './context';
import { KeyStore } from './keys';

const database = useTestDatabase();
const clock = testClock();
const SIGN_IN_LIMITS: SignInLimits = {
	perAccountAndAddress: { kind: 'window', limit: 3, windowSeconds: 900 },
	perAddress: { kind: 'window', limit: 100, windowSeconds: 900 },
	perAccount: { kind: 'delay', freeAttempts: 10, windowSeconds: 3600, firstDelaySeconds: 1, maxDelaySeconds: 60 }
};

function recordingPost(): { post: OutboundFormPOST; sids: () => string[] } {
	const forms: URLSearchParams[] = [];
	return {
		post: async (_uri, form) => {
			forms.push(form);
			return { status: 200 };
		},
		sids: () => forms.map((form) => JSON.parse(Buffer.from(form.get('logout_token')!.split('.')[1], 'base64url').toString()).sid).sort()
	};
}

async function grantFrom(session: { id: string; userId: string; authTime: Date }, client: Awaited<ReturnType<typeof createTestClient>>, scope = 'openid') {
	await issueAuthorizationCode(
		database.db,
		{ client, redirectURI: TEST_REDIRECT_URI, scope, prompt: new Set(), nonce: 'n' },
		{ sessionId: session.id, userId: session.userId, authTime: session.authTime, amr: 'pwd' },
		clock.now()
	);
}

/** Every table of the database, each row as text: which of them still mention `needle`. */
async function tablesMentioning(needles: string[]): Promise<string[]> {
	const rows = <T>(result: unknown): T[] => (Array.isArray(result) ? result : (result as { rows: T[] }).rows);
	const tables = rows<{ table_name: string }>(
		await database.db.execute(sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`)
	).map((t) => t.table_name);
	expect(tables).toEqual(expect.arrayContaining(['user', 'session', 'oauth_grant', 'one_time_token', 'rate_limit', 'upstream_identity', 'security_event']));
	const found: string[] = [];
	for (const table of tables) {
		for (const needle of needles) {
			const [{ n }] = rows<{ n: number }>(
				await database.db.execute(sql`select count(*)::int as n from ${sql.identifier(table)} as r where lower(r::text) like ${`%${needle.toLowerCase()}%`}`)
			);
			if (Number(n) > 0) found.push(`${table} mentions ${needle}`);
		}
	}
	return found;
}

describe('deleteAccount', () => {
	let ctx: ProtocolContext;
	beforeAll(() => {
		ctx = testProtocolContext(database.db, new KeyStore(database.db, 'account-settings-test-secret'), clock.now);
	});

	it(
		'ends every session by back-channel logout, ' + 'and afterwards no row of any table mentions the user id or the address; other people keep theirs',
		async () => {
			const user = await createTestUser(database.db);
			const bystander = await createTestUser(database.db);
			const rp = await createTestClient(database.db, { backchannelLogoutURI: 'https://rp.example/auth/backchannel-logout' });
			const mine = [await createTestSession(database.db, user.id, clock.now()), await createTestSession(database.db, user.id, clock.now())];
			const theirs = await createTestSession(database.db, bystander.id, clock.now());
			for (const { session } of [...mine, theirs]) await grantFrom(session, rp, 'openid offline_access');
			// What else the account leaves around: an upstream identity, mailed links, failed sign-ins.
			await database.db
				.insert(upstreamIdentities)
				.values({ provider: 'github', subject: `gh-${user.id}`, userId: user.id, emailAtLink: user.email, linkedAt: clock.now() });
			await issueOneTimeToken(database.db, { purpose: 'reset-password', userId: user.id, email: user.email, ttlSeconds: 1800 }, clock.now());
			await issueOneTimeToken(database.db, { purpose: 'sign-up', email: user.email, payload: { name: 'Again' }, ttlSeconds: 1800 }, clock.now());
			await signInWithPassword(database.db, { email: user.email, password: 'not the password', clientAddress: '192.0.2.7' }, SIGN_IN_LIMITS, clock.now());
			// ... and its security log, one line of which names an earlier address.
			await recordFailedSignIn(database.db, user.email, 'invalid', { ipAddress: '192.0.2.7', userAgent: 'curl/8' }, clock.now());
			await recordSecurityEvent(database.db, user.id, 'email-changed', { from: `old-${user.email}`, to: user.email }, { ipAddress: '192.0.2.8' }, clock.now());
			await recordSecurityEvent(database.db, bystander.id, 'sign-in', { method: 'password' }, {}, clock.now());
			expect(await tablesMentioning([user.id, user.email])).not.toEqual([]);

			const backchannel = recordingPost();
			const deleted = await deleteAccount(ctx, user.id, { post: backchannel.post });

			expect(deleted?.email).toBe(user.email);
			expect(backchannel.sids()).toEqual(mine.map(({ session }) => session.id).sort());
			expect(await tablesMentioning([user.id, user.email])).toEqual([]);
			expect(await tablesMentioning([bystander.id])).toContain('security_event mentions ' + bystander.id);
			expect(await validateSessionToken(database.db, theirs.token, clock.now())).not.toBeNull();
			expect(await database.db.select().from(grants).where(eq(grants.userId, bystander.id))).toHaveLength(1);
			expect(await deleteAccount(ctx, user.id, { post: backchannel.post })).toBeNull();
		}
	);
});

describe('signOutElsewhereAfterPasswordChange', () => {
	let ctx: ProtocolContext;
	beforeAll(() => {
		ctx = testProtocolContext(database.db, new KeyStore(database.db, 'account-settings-test-secret'), clock.now);
	});

	it('ends the other sessions by back-channel logout and revokes their offline grants; this device and its grants stay', async () => {
		const user = await createTestUser(database.db);
		const rp = await createTestClient(database.db, { backchannelLogoutURI: 'https://rp.example/auth/backchannel-logout' });
		const current = await createTestSession(database.db, user.id, clock.now());
		const other = await createTestSession(database.db, user.id, clock.now());
		await grantFrom(current.session, rp, 'openid offline_access');
		await grantFrom(other.session, rp, 'openid offline_access');
		const backchannel = recordingPost();

		await signOutElsewhereAfterPasswordChange(ctx, { userId: user.id, currentSessionId: current.session.id }, { post: backchannel.post });

		expect(backchannel.sids()).toEqual([other.session.id]);
		expect(await validateSessionToken(database.db, other.token, clock.now())).toBeNull();
		expect(await validateSessionToken(database.db, current.token, clock.now())).not.toBeNull();
		const left = await database.db.select({ sessionId: grants.sessionId, revokedAt: grants.revokedAt }).from(grants).where(eq(grants.userId, user.id));
		expect(left.find((g) => g.sessionId === current.session.id)?.revokedAt).toBeNull();
		expect(left.find((g) => g.sessionId === other.session.id)?.revokedAt).not.toBeNull();
	});
});
