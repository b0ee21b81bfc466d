import { describe, expect, it } from 'vitest';
import { newSubmissionId, parseSubmissionId, RepeatedSignIns, type EarlierSignIn } from './repeated-sign-in';

/** A sign-in that records what it was told and makes session `id` once `release` is called. */
function deferredSignIn(id: string, seen: (EarlierSignIn | null)[], userId = 'user-1') {
	let release!: () => void;
	const gate = new Promise<void>((resolve) => (release = resolve));
	const run = async (earlier: EarlierSignIn | null) => {
		seen.push(earlier);
		await gate;
		return { result: id, made: { userId, sessionId: id } };
	};
	return { run, release };
}

describe('RepeatedSignIns: a form sent twice leaves one session', () => {
	it('the repeat waits for the first and is told the session it made (to end it)', async () => {
		const repeats = new RepeatedSignIns();
		const seen: (EarlierSignIn | null)[] = [];
		const first = deferredSignIn('session-1', seen);
		const second = deferredSignIn('session-2', seen);
		const a = repeats.run('form-1', first.run);
		const b = repeats.run('form-1', second.run);
		// The second has not started while the first is still running.
		await Promise.resolve();
		expect(seen).toEqual([null]);
		second.release();
		first.release();
		expect(await a).toBe('session-1');
		expect(await b).toBe('session-2');
		expect(seen).toEqual([null, { userId: 'user-1', sessionId: 'session-1' }]);
	});

	it('a third repeat is told the latest session, and a failed attempt in between passes on the earlier one', async () => {
		const repeats = new RepeatedSignIns();
		const seen: (EarlierSignIn | null)[] = [];
		await repeats.run('f', async (earlier) => (seen.push(earlier), { result: 1, made: { userId: 'u', sessionId: 's1' } }));
		await repeats.run('f', async (earlier) => (seen.push(earlier), { result: 2, made: null }));
		await repeats.run('f', async (earlier) => (seen.push(earlier), { result: 3, made: { userId: 'u', sessionId: 's3' } }));
		expect(seen).toEqual([null, { userId: 'u', sessionId: 's1' }, { userId: 'u', sessionId: 's1' }]);
	});

	it('other forms, forms without an id, and repeats after the window are independent', async () => {
		const repeats = new RepeatedSignIns(1000);
		const seen: (EarlierSignIn | null)[] = [];
		const made = { userId: 'u', sessionId: 's' };
		await repeats.run('f', async () => ({ result: 0, made }), 0);
		await repeats.run('g', async (earlier) => (seen.push(earlier), { result: 0, made }), 10);
		await repeats.run(null, async (earlier) => (seen.push(earlier), { result: 0, made }), 20);
		await repeats.run('f', async (earlier) => (seen.push(earlier), { result: 0, made }), 5000);
		expect(seen).toEqual([null, null, null]);
	});

	it('a sign-in that throws does not block the next repeat', async () => {
		const repeats = new RepeatedSignIns();
		await expect(repeats.run('f', async () => Promise.reject(new Error('database down')))).rejects.toThrow('database down');
		expect(await repeats.run('f', async (earlier) => ({ result: earlier, made: null }))).toBeNull();
	});
});

describe('submission ids', () => {
	it('are 128 random bits, base64url, and parse back; anything else is no id', () => {
		const id = newSubmissionId();
		expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
		expect(newSubmissionId()).not.toBe(id);
		expect(parseSubmissionId(id)).toBe(id);
		for (const bad of [null, '', 'short', `${id}x`, 'a'.repeat(21) + '!', 42]) expect(parseSubmissionId(bad)).toBeNull();
	});
});
