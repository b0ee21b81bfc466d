import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../tests/support/database';
import { refundAttempt, reserveAttempt, type GrowingDelay, type WindowLimit } from './rate-limit';

const database = useTestDatabase();
const FIVE_PER_MINUTE: WindowLimit = { kind: 'window', limit: 5, windowSeconds: 60 };
const DELAYS: GrowingDelay = { kind: 'delay', freeAttempts: 3, windowSeconds: 3600, firstDelaySeconds: 2, maxDelaySeconds: 10 };
const T0 = new Date('2030-01-01T00:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

describe('reserveAttempt: a fixed window', () => {
	it('of 40 parallel attempts exactly the limit is admitted (one upsert decides, no check-then-count)', async () => {
		const decisions = await Promise.all(Array.from({ length: 40 }, () => reserveAttempt(database.db, 'burst', FIVE_PER_MINUTE, T0)));
		expect(decisions.filter((d) => d.admitted)).toHaveLength(5);
		for (const d of decisions.filter((d) => !d.admitted)) expect(d).toEqual({ admitted: false, retryAfterSeconds: 60 });
	});

	it('refusals do not extend the wait; the next window admits again', async () => {
		for (let i = 0; i < 5; i++) expect((await reserveAttempt(database.db, 'window', FIVE_PER_MINUTE, at(i))).admitted).toBe(true);
		expect(await reserveAttempt(database.db, 'window', FIVE_PER_MINUTE, at(30))).toEqual({ admitted: false, retryAfterSeconds: 30 });
		expect(await reserveAttempt(database.db, 'window', FIVE_PER_MINUTE, at(59))).toEqual({ admitted: false, retryAfterSeconds: 1 });
		expect((await reserveAttempt(database.db, 'window', FIVE_PER_MINUTE, at(60))).admitted).toBe(true);
	});

	it('a refunded attempt lifts the hold-back it caused', async () => {
		const decisions = [];
		for (let i = 0; i < 5; i++) decisions.push(await reserveAttempt(database.db, 'refund', FIVE_PER_MINUTE, T0));
		const last = decisions[4];
		if (!last.admitted) throw new Error('the fifth attempt should be admitted');
		expect((await reserveAttempt(database.db, 'refund', FIVE_PER_MINUTE, T0)).admitted).toBe(false);
		await refundAttempt(database.db, last.reservation, FIVE_PER_MINUTE);
		expect((await reserveAttempt(database.db, 'refund', FIVE_PER_MINUTE, T0)).admitted).toBe(true);
		expect((await reserveAttempt(database.db, 'refund', FIVE_PER_MINUTE, T0)).admitted).toBe(false);
	});
});

describe('reserveAttempt: growing delays', () => {
	it('free attempts, then delays doubling up to the cap; never a lock-out longer than the cap', async () => {
		const key = 'delays';
		let t = 0;
		for (let i = 0; i < 3; i++) expect((await reserveAttempt(database.db, key, DELAYS, at(t))).admitted).toBe(true);
		const waits: number[] = [];
		for (let i = 0; i < 5; i++) {
			expect((await reserveAttempt(database.db, key, DELAYS, at(t))).admitted).toBe(true);
			const refused = await reserveAttempt(database.db, key, DELAYS, at(t));
			if (refused.admitted) throw new Error('the attempt right after a delayed one should wait');
			waits.push(refused.retryAfterSeconds);
			t += refused.retryAfterSeconds;
		}
		expect(waits).toEqual([2, 4, 8, 10, 10]);
	});

	it('in a parallel burst only the free attempts and one more are admitted', async () => {
		const decisions = await Promise.all(Array.from({ length: 30 }, () => reserveAttempt(database.db, 'delay-burst', DELAYS, T0)));
		expect(decisions.filter((d) => d.admitted)).toHaveLength(4);
	});
});
