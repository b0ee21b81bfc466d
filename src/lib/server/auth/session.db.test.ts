import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestUser, type TestUser } from '../../../../tests/support/fixtures';
import { useTestDatabase } from '../../../../tests/support/database';
import { sessions } from '../db/schema';
import { hashSecret } from '../secrets';
import { createSession, invalidateSession, SESSION_TTL_MS, validateSessionToken } from './session';

const database = useTestDatabase();
const T0 = new Date('2026-01-15T10:00:00.000Z');
const DAY = 24 * 3600 * 1000;
let user: TestUser;

beforeAll(async () => {
	user = await createTestUser(database.db, { name: 'Session User' });
});

async function row(id: string) {
	const [r] = await database.db.select().from(sessions).where(eq(sessions.id, id));
	return r;
}

describe('provider sessions (Lucia design)', () => {
	it('the token is id.secret; only the SHA-256 of the secret is stored', async () => {
		const { token, session } = await createSession(database.db, user.id, { now: T0 });
		const [id, secret] = token.split('.');
		expect(id).toBe(session.id);
		// At least 120 bits each (base32: 5 bits per character).
		expect(secret.length * 5).toBeGreaterThanOrEqual(120);
		const stored = await row(id);
		expect(stored.secretHash).toBe(hashSecret(secret));
		expect(JSON.stringify(stored)).not.toContain(secret);
	});

	it('a valid token returns the session and its user; authTime is the sign-in time', async () => {
		const { token } = await createSession(database.db, user.id, { now: T0 });
		const result = await validateSessionToken(database.db, token, new Date(T0.getTime() + 1000));
		expect(result?.renewed).toBe(false);
		expect(result?.session.userId).toBe(user.id);
		expect(result?.session.user).toEqual({ id: user.id, email: user.email, emailVerified: true, name: 'Session User' });
		expect(result?.session.authTime.getTime()).toBe(T0.getTime());
		expect(result?.session.expiresAt.getTime()).toBe(T0.getTime() + SESSION_TTL_MS);
	});

	it('a wrong secret → null (and the session survives for its owner)', async () => {
		const { token } = await createSession(database.db, user.id, { now: T0 });
		const [id, secret] = token.split('.');
		const forged = `${id}.${secret.slice(0, -1)}${secret.endsWith('a') ? 'b' : 'a'}`;
		expect(await validateSessionToken(database.db, forged, T0)).toBeNull();
		expect(await validateSessionToken(database.db, token, T0)).not.toBeNull();
	});

	it.each([
		['empty', ''],
		['no secret', 'abc'],
		['unknown id', 'abc.def'],
		['three parts', 'a.b.c'],
		['trailing dot', 'abc.']
	])('malformed or unknown token (%s) → null', async (_, token) => {
		expect(await validateSessionToken(database.db, token, T0)).toBeNull();
	});

	it('the id alone (without the secret) is not a token', async () => {
		const { session } = await createSession(database.db, user.id, { now: T0 });
		expect(await validateSessionToken(database.db, session.id, T0)).toBeNull();
		expect(await validateSessionToken(database.db, `${session.id}.`, T0)).toBeNull();
	});

	it('an expired session → null, and its row is deleted', async () => {
		const { token, session } = await createSession(database.db, user.id, { now: T0 });
		expect(await validateSessionToken(database.db, token, new Date(T0.getTime() + SESSION_TTL_MS))).toBeNull();
		expect(await row(session.id)).toBeUndefined();
	});

	it('sliding expiry: with more than half the TTL left nothing is written', async () => {
		const { token, session } = await createSession(database.db, user.id, { now: T0 });
		const at = new Date(T0.getTime() + SESSION_TTL_MS / 2 - 1000);
		const result = await validateSessionToken(database.db, token, at);
		expect(result?.renewed).toBe(false);
		expect((await row(session.id)).expiresAt.getTime()).toBe(T0.getTime() + SESSION_TTL_MS);
	});

	it('sliding expiry: with less than half the TTL left the session is extended to a full TTL from now; authTime does not move', async () => {
		const { token, session } = await createSession(database.db, user.id, { now: T0 });
		const at = new Date(T0.getTime() + SESSION_TTL_MS / 2 + DAY);
		const result = await validateSessionToken(database.db, token, at);
		expect(result?.renewed).toBe(true);
		expect(result?.session.expiresAt.getTime()).toBe(at.getTime() + SESSION_TTL_MS);
		expect(result?.session.authTime.getTime()).toBe(T0.getTime());
		expect((await row(session.id)).expiresAt.getTime()).toBe(at.getTime() + SESSION_TTL_MS);
		// Still valid after the original expiry.
		const later = new Date(T0.getTime() + SESSION_TTL_MS + DAY);
		expect(await validateSessionToken(database.db, token, later)).not.toBeNull();
	});

	it('invalidateSession ends the session: the token no longer validates', async () => {
		const { token, session } = await createSession(database.db, user.id, { now: T0 });
		await invalidateSession(database.db, session.id);
		expect(await validateSessionToken(database.db, token, T0)).toBeNull();
		expect(await row(session.id)).toBeUndefined();
	});

	it("invalidating one session leaves the user's other sessions alone", async () => {
		const a = await createSession(database.db, user.id, { now: T0 });
		const b = await createSession(database.db, user.id, { now: T0 });
		await invalidateSession(database.db, a.session.id);
		expect(await validateSessionToken(database.db, b.token, T0)).not.toBeNull();
	});
});
