import { describe, expect, it } from 'vitest';
import { deriveRefreshSuccessorKey, refreshTokenSuccessor, withinReuseGrace } from './refresh-rotation';

describe('refresh token successors (one per token)', () => {
	it('the same token always has the same successor under one server secret, 256 bits in base64url', async () => {
		const key = await deriveRefreshSuccessorKey('first-secret');
		const successor = await refreshTokenSuccessor(key, 'token-a');
		expect(successor).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(await refreshTokenSuccessor(await deriveRefreshSuccessorKey('first-secret'), 'token-a')).toBe(successor);
		expect(await refreshTokenSuccessor(key, 'token-b')).not.toBe(successor);
	});

	it('cannot be computed without the server secret', async () => {
		const mine = await refreshTokenSuccessor(await deriveRefreshSuccessorKey('first-secret'), 'token-a');
		expect(await refreshTokenSuccessor(await deriveRefreshSuccessorKey('second-secret'), 'token-a')).not.toBe(mine);
	});
});

describe('withinReuseGrace (RFC 9700 §4.14.2)', () => {
	const rotatedAt = new Date('2026-01-01T00:00:00Z');
	const after = (seconds: number) => new Date(rotatedAt.getTime() + seconds * 1000);

	it('0 seconds (the default) means never, even for a presentation at the same instant', () => {
		expect(withinReuseGrace(rotatedAt, rotatedAt, 0)).toBe(false);
		expect(withinReuseGrace(rotatedAt, after(-1), 0)).toBe(false);
	});

	it('a window admits presentations up to its end, not after', () => {
		expect(withinReuseGrace(rotatedAt, after(10), 10)).toBe(true);
		expect(withinReuseGrace(rotatedAt, after(10.001), 10)).toBe(false);
		expect(withinReuseGrace(null, after(1), 10)).toBe(false);
	});
});
