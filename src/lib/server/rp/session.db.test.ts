import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../tests/support/database';
import { createRPSession, endRPSessionsForLogout, validateRPSession } from './session';

const database = useTestDatabase();
const now = new Date('2026-01-15T10:00:00Z');
const claims = (sub: string, sid: string) => ({ sub, sid, name: 'Ada' });

describe('demo-site sessions ended by back-channel logout (Back-Channel Logout 1.0 §2.7)', () => {
	it('an ended session is no longer a session, and says once that the provider ended it', async () => {
		const { token } = await createRPSession(database.db, 'site1', claims('user-1', 'sid-1'), 'id-token', now);
		expect((await validateRPSession(database.db, 'site1', token, now)).session?.subject).toBe('user-1');
		expect(await endRPSessionsForLogout(database.db, 'site1', { sid: 'sid-1' }, now)).toBe(1);
		expect(await validateRPSession(database.db, 'site1', token, now)).toEqual({ session: null, endedByProvider: true });
		// Told once: the cookie is deleted with that answer; replaying it learns nothing more.
		expect(await validateRPSession(database.db, 'site1', token, now)).toEqual({ session: null, endedByProvider: false });
	});

	it('only the holder of the session secret learns that it was ended', async () => {
		const { token } = await createRPSession(database.db, 'site1', claims('user-2', 'sid-2'), 'id-token', now);
		await endRPSessionsForLogout(database.db, 'site1', { sid: 'sid-2' }, now);
		const forged = `${token.split('.')[0]}.${'a'.repeat(token.split('.')[1].length)}`;
		expect(await validateRPSession(database.db, 'site1', forged, now)).toEqual({ session: null, endedByProvider: false });
		expect((await validateRPSession(database.db, 'site1', token, now)).endedByProvider).toBe(true);
	});

	it("a logout naming only the user ends all of that user's sessions on this site, and none elsewhere", async () => {
		const a = await createRPSession(database.db, 'site1', claims('user-3', 'sid-3a'), 'id-token', now);
		const b = await createRPSession(database.db, 'site1', claims('user-3', 'sid-3b'), 'id-token', now);
		const other = await createRPSession(database.db, 'site2', claims('user-3', 'sid-3a'), 'id-token', now);
		expect(await endRPSessionsForLogout(database.db, 'site1', { sub: 'user-3' }, now)).toBe(2);
		expect((await validateRPSession(database.db, 'site1', a.token, now)).session).toBeNull();
		expect((await validateRPSession(database.db, 'site1', b.token, now)).session).toBeNull();
		expect((await validateRPSession(database.db, 'site2', other.token, now)).session?.subject).toBe('user-3');
	});

	it('a session that simply expired does not claim to have been ended by the provider', async () => {
		const { token, session } = await createRPSession(database.db, 'site1', claims('user-4', 'sid-4'), 'id-token', now);
		expect(await validateRPSession(database.db, 'site1', token, session.expiresAt)).toEqual({ session: null, endedByProvider: false });
	});
});
