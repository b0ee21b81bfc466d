import { inArray } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { grants } from '../db/schema';
import { createTestClient, createTestSession, createTestUser, TEST_REDIRECT_URI, testClock } from '../../../../tests/support/fixtures';
import { useTestDatabase } from '../../../../tests/support/database';
import { testProtocolContext } from '../../../../tests/support/protocol-context';
import { validateSessionToken } from '../auth/session';
import type { OutboundFormPOST } from '../outbound-request';
import { issueAuthorizationCode } from './codes';
import type { ProtocolContext } from './context';
import { KeyStore } from './keys';
import { endAllSessionsOfUser } from './logout';

const database = useTestDatabase();
const clock = testClock();

describe('endAllSessionsOfUser (after a password reset)', () => {
	let ctx: ProtocolContext;
	beforeAll(() => {
		ctx = testProtocolContext(database.db, new KeyStore(database.db, 'logout-all-test-secret'), clock.now);
	});

	it("ends every session of the user, sends one logout token per session to each client that knew it, and leaves others' sessions alone", async () => {
		const user = await createTestUser(database.db);
		const bystander = await createTestUser(database.db);
		const rp = await createTestClient(database.db, { backchannelLogoutURI: 'https://rp.example/auth/backchannel-logout' });
		const mine = [await createTestSession(database.db, user.id, clock.now()), await createTestSession(database.db, user.id, clock.now())];
		const theirs = await createTestSession(database.db, bystander.id, clock.now());
		for (const { session } of [...mine, theirs]) {
			await issueAuthorizationCode(
				database.db,
				{ client: rp, redirectURI: TEST_REDIRECT_URI, scope: 'openid', prompt: new Set(), nonce: 'n' },
				{ sessionId: session.id, userId: session.userId, authTime: session.authTime, amr: 'pwd' },
				clock.now()
			);
		}
		const posted: URLSearchParams[] = [];
		const post: OutboundFormPOST = async (_uri, form) => {
			posted.push(form);
			return { status: 200 };
		};
		const results = await endAllSessionsOfUser(ctx, user.id, { post });
		expect(results).toEqual([
			{ clientId: rp.id, ok: true, detail: undefined },
			{ clientId: rp.id, ok: true, detail: undefined }
		]);
		const sids = posted.map((form) => JSON.parse(Buffer.from(form.get('logout_token')!.split('.')[1], 'base64url').toString()).sid).sort();
		expect(sids).toEqual(mine.map(({ session }) => session.id).sort());
		for (const { token } of mine) expect(await validateSessionToken(database.db, token, clock.now())).toBeNull();
		expect(await validateSessionToken(database.db, theirs.token, clock.now())).not.toBeNull();
	});

	it('revokes grants that outlive sessions (offline_access), so refresh tokens obtained with the old password stop working', async () => {
		const user = await createTestUser(database.db);
		const bystander = await createTestUser(database.db);
		const rp = await createTestClient(database.db);
		const grantFor = async (userId: string) => {
			const { session } = await createTestSession(database.db, userId, clock.now());
			await issueAuthorizationCode(
				database.db,
				{ client: rp, redirectURI: TEST_REDIRECT_URI, scope: 'openid offline_access', prompt: new Set(), nonce: 'n' },
				{ sessionId: session.id, userId, authTime: session.authTime, amr: 'pwd' },
				clock.now()
			);
		};
		await grantFor(user.id);
		await grantFor(bystander.id);
		await endAllSessionsOfUser(ctx, user.id, { post: async () => ({ status: 200 }) });
		const rows = await database.db
			.select({ userId: grants.userId, revokedAt: grants.revokedAt })
			.from(grants)
			.where(inArray(grants.userId, [user.id, bystander.id]));
		expect(rows.find((r) => r.userId === user.id)?.revokedAt).toEqual(clock.now());
		expect(rows.find((r) => r.userId === bystander.id)?.revokedAt).toBeNull();
	});
});
