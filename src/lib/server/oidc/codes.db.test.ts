import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestClient, createTestUser, TEST_REDIRECT_URI, testClock, type TestClient, type TestUser } from '../../../../tests/support/fixtures';
import { useTestDatabase } from '../../../../tests/support/database';
import { issueTestCode, PKCE_CHALLENGE, rejectionOf } from '../../../../tests/support/oidc';
import { authorizationCodes, grants } from '../db/schema';
import { hashSecret } from '../secrets';
import { CODE_TTL_SECONDS, consumeAuthorizationCode } from './codes';
import { revokeGrant } from './grant-records';

const database = useTestDatabase();
let client: TestClient;
let user: TestUser;

beforeAll(async () => {
	client = await createTestClient(database.db);
	user = await createTestUser(database.db, { name: 'Ada Lovelace', email: 'ada-codes@example.com' });
});

async function grantOf(code: string) {
	const [row] = await database.db
		.select({ revokedAt: grants.revokedAt, id: grants.id })
		.from(authorizationCodes)
		.innerJoin(grants, eq(grants.id, authorizationCodes.grantId))
		.where(eq(authorizationCodes.codeHash, hashSecret(code)));
	return row;
}

describe('authorization codes (RFC 6749 §4.1.2, §10.5)', () => {
	it('the guide promises codes that live about 60 seconds', () => {
		expect(CODE_TTL_SECONDS).toBe(60);
	});

	it('a code has at least 128 bits of randomness and is stored only as its SHA-256', async () => {
		const clock = testClock();
		const { code } = await issueTestCode(database.db, { client, userId: user.id, now: clock.now() });
		// Base32: 5 bits per character.
		expect(code.length * 5).toBeGreaterThanOrEqual(128);
		const rows = await database.db.select().from(authorizationCodes);
		expect(rows.some((r) => r.codeHash === code)).toBe(false);
		expect(rows.some((r) => r.codeHash === hashSecret(code))).toBe(true);
		expect(JSON.stringify(rows)).not.toContain(code);
	});

	it('two codes are never the same', async () => {
		const clock = testClock();
		const a = await issueTestCode(database.db, { client, userId: user.id, now: clock.now() });
		const b = await issueTestCode(database.db, { client, userId: user.id, now: clock.now() });
		expect(a.code).not.toBe(b.code);
	});

	it('consuming a code returns what it was issued for: client, user, scope, redirect_uri, nonce, PKCE challenge, auth_time', async () => {
		const clock = testClock();
		const authTime = new Date(clock.now().getTime() - 30_000);
		const issued = await issueTestCode(database.db, {
			client,
			userId: user.id,
			now: clock.now(),
			authTime,
			scope: 'openid email',
			nonce: 'n-1',
			codeChallenge: PKCE_CHALLENGE
		});
		clock.advance(5);
		const redeemed = await consumeAuthorizationCode(database.db, issued.code, clock.now());
		expect(redeemed).toMatchObject({
			clientId: client.id,
			scope: 'openid email',
			redirectURI: TEST_REDIRECT_URI,
			nonce: 'n-1',
			codeChallenge: PKCE_CHALLENGE,
			sessionId: issued.sessionId,
			user: { id: user.id, email: 'ada-codes@example.com', name: 'Ada Lovelace', emailVerified: true }
		});
		expect(redeemed.authTime.getTime()).toBe(authTime.getTime());
	});

	it('a code works once; the replay → invalid_grant and revokes the grant (RFC 6749 §4.1.2)', async () => {
		const clock = testClock();
		const { code } = await issueTestCode(database.db, { client, userId: user.id, now: clock.now() });
		await consumeAuthorizationCode(database.db, code, clock.now());
		expect((await grantOf(code)).revokedAt).toBeNull();
		clock.advance(1);
		const error = await rejectionOf(() => consumeAuthorizationCode(database.db, code, clock.now()));
		expect(error.code).toBe('invalid_grant');
		expect(error.status).toBe(400);
		expect((await grantOf(code)).revokedAt?.getTime()).toBe(clock.now().getTime());
	});

	it('an unknown code → invalid_grant', async () => {
		const error = await rejectionOf(() => consumeAuthorizationCode(database.db, 'not-a-code', new Date()));
		expect(error.code).toBe('invalid_grant');
	});

	it('a code is refused once its lifetime is over (+61 s → invalid_grant); within it (+59 s) it works', async () => {
		const clock = testClock();
		const late = await issueTestCode(database.db, { client, userId: user.id, now: clock.now() });
		const inTime = await issueTestCode(database.db, { client, userId: user.id, now: clock.now() });
		clock.advance(59);
		await expect(consumeAuthorizationCode(database.db, inTime.code, clock.now())).resolves.toMatchObject({ clientId: client.id });
		clock.advance(2);
		const error = await rejectionOf(() => consumeAuthorizationCode(database.db, late.code, clock.now()));
		expect(error.code).toBe('invalid_grant');
		expect(error.description).toMatch(/expired/);
	});

	it('a code whose grant was revoked → invalid_grant', async () => {
		const clock = testClock();
		const { code } = await issueTestCode(database.db, { client, userId: user.id, now: clock.now() });
		await revokeGrant(database.db, (await grantOf(code)).id, clock.now());
		expect((await rejectionOf(() => consumeAuthorizationCode(database.db, code, clock.now()))).code).toBe('invalid_grant');
	});

	it('of many concurrent redemptions of one code, exactly one succeeds', async () => {
		const clock = testClock();
		const { code } = await issueTestCode(database.db, { client, userId: user.id, now: clock.now() });
		const results = await Promise.allSettled(Array.from({ length: 8 }, () => consumeAuthorizationCode(database.db, code, clock.now())));
		expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
		for (const r of results) if (r.status === 'rejected') expect((r.reason as { code: string }).code).toBe('invalid_grant');
		// The others were replays: the grant is revoked, so the winner's tokens die too.
		expect((await grantOf(code)).revokedAt).not.toBeNull();
	});
});
