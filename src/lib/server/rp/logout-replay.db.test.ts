import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../tests/support/database';
import { recordLogoutToken } from './logout-replay';

const database = useTestDatabase();
const now = new Date('2026-01-15T10:00:00Z');
const expiresAt = new Date(now.getTime() + 120_000);

describe('recordLogoutToken (Back-Channel Logout 1.0 §2.6 replay cache)', () => {
	it('accepts a jti once; of 10 parallel records of one jti exactly one wins', async () => {
		const results = await Promise.all(Array.from({ length: 10 }, () => recordLogoutToken(database.db, 'site1', { jti: 'parallel', expiresAt }, now)));
		expect(results.filter(Boolean)).toHaveLength(1);
		expect(await recordLogoutToken(database.db, 'site1', { jti: 'parallel', expiresAt }, now)).toBe(false);
	});

	it("keeps each site's cache apart (the same jti is another token for another audience)", async () => {
		expect(await recordLogoutToken(database.db, 'site1', { jti: 'shared', expiresAt }, now)).toBe(true);
		expect(await recordLogoutToken(database.db, 'site2', { jti: 'shared', expiresAt }, now)).toBe(true);
	});

	it('forgets tokens once they have expired (their exp refuses them by then)', async () => {
		expect(await recordLogoutToken(database.db, 'site1', { jti: 'old', expiresAt }, now)).toBe(true);
		const later = new Date(expiresAt.getTime() + 1000);
		expect(await recordLogoutToken(database.db, 'site1', { jti: 'old', expiresAt: new Date(later.getTime() + 120_000) }, later)).toBe(true);
	});
});
