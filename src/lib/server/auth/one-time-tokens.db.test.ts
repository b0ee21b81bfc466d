import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createTestUser } from '../../../../tests/support/fixtures';
import { useTestDatabase } from '../../../../tests/support/database';
import type { Database } from '../db';
import { oneTimeTokens } from '../db/schema';
import { hashSecret } from '../secrets';
import { consumeOneTimeToken, findOneTimeToken, issueOneTimeToken, revokeOneTimeTokens } from './one-time-tokens';

const database = useTestDatabase();
const T0 = new Date('2030-01-01T00:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

async function resetToken(ttlSeconds = 1800) {
	const user = await createTestUser(database.db);
	const token = await issueOneTimeToken(database.db, { purpose: 'reset-password', userId: user.id, email: user.email, ttlSeconds }, T0);
	return { user, token };
}

describe('one-time tokens (mailed links)', () => {
	it('are stored hashed: no column of the row holds the secret, only its SHA-256', async () => {
		const { token } = await resetToken();
		const [id, secret] = token.split('.');
		const [row] = await database.db.select().from(oneTimeTokens).where(eq(oneTimeTokens.id, id));
		expect(row.secretHash).toBe(hashSecret(secret));
		expect(JSON.stringify(row)).not.toContain(secret);
		// 160 bits each for the id and the secret (generateSecret's default).
		expect(secret).toMatch(/^[a-z2-7]{32}$/);
	});

	it('work exactly once when many uses race: one of 20 parallel consumptions wins', async () => {
		const { token, user } = await resetToken();
		const results = await Promise.all(Array.from({ length: 20 }, () => consumeOneTimeToken(database.db, token, 'reset-password', at(1))));
		const winners = results.filter((r) => r !== null);
		expect(winners).toHaveLength(1);
		expect(winners[0]).toMatchObject({ userId: user.id, purpose: 'reset-password' });
		expect(await consumeOneTimeToken(database.db, token, 'reset-password', at(2))).toBeNull();
	});

	it('expire: usable one second before the end of their life, not at it', async () => {
		const { token } = await resetToken(1800);
		expect(await findOneTimeToken(database.db, token, 'reset-password', at(1799))).not.toBeNull();
		expect(await findOneTimeToken(database.db, token, 'reset-password', at(1800))).toBeNull();
		expect(await consumeOneTimeToken(database.db, token, 'reset-password', at(1800))).toBeNull();
	});

	it('are refused for another purpose, and stay usable for their own', async () => {
		const { token } = await resetToken();
		for (const purpose of ['change-email', 'sign-up', 'link-upstream'] as const) {
			expect(await consumeOneTimeToken(database.db, token, purpose, at(1))).toBeNull();
		}
		expect(await consumeOneTimeToken(database.db, token, 'reset-password', at(1))).not.toBeNull();
	});

	it('a wrong secret with a genuine id is refused and does not use the token up', async () => {
		const { token } = await resetToken();
		const [id] = token.split('.');
		expect(await consumeOneTimeToken(database.db, `${id}.${'a'.repeat(32)}`, 'reset-password', at(1))).toBeNull();
		expect(await consumeOneTimeToken(database.db, token, 'reset-password', at(1))).not.toBeNull();
	});

	it('malformed tokens never reach the database', async () => {
		const untouchable = new Proxy({} as Database, {
			get() {
				throw new Error('the database was used');
			}
		});
		const malformed: unknown[] = [
			'',
			'abc',
			'a.b',
			"x'; drop table one_time_token; --",
			'AAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBB',
			`${'a'.repeat(20)}.${'b'.repeat(20)}.c`,
			'a'.repeat(5000),
			42,
			null,
			undefined,
			['a.b'],
			{ id: 'x' }
		];
		for (const token of malformed) {
			expect(await findOneTimeToken(untouchable, token, 'reset-password')).toBeNull();
			expect(await consumeOneTimeToken(untouchable, token, 'reset-password')).toBeNull();
		}
	});

	it("revoking withdraws one purpose of one user, nobody else's", async () => {
		const mine = await resetToken();
		const change = await issueOneTimeToken(database.db, { purpose: 'change-email', userId: mine.user.id, email: 'new@example.com', ttlSeconds: 3600 }, T0);
		const theirs = await resetToken();
		await revokeOneTimeTokens(database.db, mine.user.id, 'reset-password');
		expect(await findOneTimeToken(database.db, mine.token, 'reset-password', at(1))).toBeNull();
		expect(await findOneTimeToken(database.db, change, 'change-email', at(1))).not.toBeNull();
		expect(await findOneTimeToken(database.db, theirs.token, 'reset-password', at(1))).not.toBeNull();
	});
});
