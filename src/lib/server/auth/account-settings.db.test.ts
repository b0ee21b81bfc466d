import { eq, like } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { createTestUser } from '../../../../tests/support/fixtures';
import { useTestDatabase } from '../../../../tests/support/database';
import { memoryMailer } from '../../../../tests/support/memory-mailer';
import { rateLimits, users } from '../db/schema';
import { changePassword, updateName, type PasswordChangeSettings } from './account-settings';
import { findOneTimeToken, issueOneTimeToken } from './one-time-tokens';
import { signInWithPassword, type SignInLimits } from './password-sign-in';
import { authenticateWithPassword } from './user';

const database = useTestDatabase();
const T0 = new Date('2030-01-01T00:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const SIGN_IN_LIMITS: SignInLimits = {
	perAccountAndAddress: { kind: 'window', limit: 3, windowSeconds: 900 },
	perAddress: { kind: 'window', limit: 100, windowSeconds: 900 },
	perAccount: { kind: 'delay', freeAttempts: 10, windowSeconds: 3600, firstDelaySeconds: 1, maxDelaySeconds: 60 }
};
const NEW_PASSWORD = 'Tangerine-Orbit-42';
let mailer = memoryMailer();
let settings: PasswordChangeSettings;
beforeEach(() => {
	mailer = memoryMailer();
	settings = { issuer: 'https://sso.example.com', mailer, signInLimits: SIGN_IN_LIMITS, recentAuthSeconds: 600 };
});

const change = (userId: string, currentPassword: unknown, newPassword: unknown, authTime = T0, now = at(60)) =>
	changePassword(database.db, { userId, authTime, clientAddress: '192.0.2.1' }, { currentPassword, newPassword }, settings, now);

describe('changePassword', () => {
	it('a sign-in older than the window must be repeated first, even with the right current password; nothing changes', async () => {
		const user = await createTestUser(database.db);
		expect(await change(user.id, user.password, NEW_PASSWORD, T0, at(601))).toEqual({ status: 'sign-in-again' });
		expect('user' in (await authenticateWithPassword(database.db, user.email, user.password))).toBe(true);
		expect(mailer.sent).toEqual([]);
	});

	it('needs the current password, and says beside each field what is wrong', async () => {
		const user = await createTestUser(database.db, { name: 'Ada Lovelace' });
		expect(await change(user.id, '', NEW_PASSWORD)).toEqual({ status: 'invalid', errors: { currentPassword: 'Enter your current password.' } });
		expect(await change(user.id, 'a guess', NEW_PASSWORD)).toEqual({ status: 'invalid', errors: { currentPassword: 'This is not your current password.' } });
		expect(await change(user.id, user.password, 'short')).toEqual({ status: 'invalid', errors: { newPassword: 'Use at least 8 characters.' } });
		expect(await change(user.id, user.password, 'password123')).toMatchObject({ status: 'invalid', errors: { newPassword: expect.stringMatching(/common/) } });
		expect(await change(user.id, user.password, user.email)).toMatchObject({
			status: 'invalid',
			errors: { newPassword: expect.stringMatching(/your name, your email/) }
		});
		expect('user' in (await authenticateWithPassword(database.db, user.email, user.password))).toBe(true);
	});

	it('after a change the old password fails, the new one works, failed sign-ins are forgotten, reset links die and the owner is told', async () => {
		const user = await createTestUser(database.db);
		await signInWithPassword(database.db, { email: user.email, password: 'wrong one', clientAddress: '198.51.100.9' }, SIGN_IN_LIMITS, T0);
		expect(
			await database.db
				.select()
				.from(rateLimits)
				.where(like(rateLimits.key, `sign-in:account%${user.email}%`))
		).not.toEqual([]);
		const reset = await issueOneTimeToken(database.db, { purpose: 'reset-password', userId: user.id, email: user.email, ttlSeconds: 1800 }, T0);

		expect(await change(user.id, user.password, NEW_PASSWORD)).toEqual({ status: 'done', kind: 'changed' });

		expect(await authenticateWithPassword(database.db, user.email, user.password)).toEqual({ failure: 'invalid' });
		expect('user' in (await authenticateWithPassword(database.db, user.email, NEW_PASSWORD))).toBe(true);
		expect(
			await database.db
				.select()
				.from(rateLimits)
				.where(like(rateLimits.key, `sign-in:account%${user.email}%`))
		).toEqual([]);
		expect(await findOneTimeToken(database.db, reset, 'reset-password', at(60))).toBeNull();
		await new Promise((resolve) => setImmediate(resolve));
		const [notice] = mailer.to(user.email);
		expect(notice.subject).toBe('Your SSO Provider password was changed');
		expect(notice.text).not.toContain(NEW_PASSWORD);
	});

	it('an account without a password sets one with its recent sign-in alone', async () => {
		const user = await createTestUser(database.db);
		await database.db.update(users).set({ passwordHash: null }).where(eq(users.id, user.id));
		expect(await change(user.id, undefined, NEW_PASSWORD, T0, at(601))).toEqual({ status: 'sign-in-again' });
		expect(await change(user.id, undefined, NEW_PASSWORD)).toEqual({ status: 'done', kind: 'set' });
		expect('user' in (await authenticateWithPassword(database.db, user.email, NEW_PASSWORD))).toBe(true);
		await new Promise((resolve) => setImmediate(resolve));
		expect(mailer.to(user.email)[0].subject).toBe('Your SSO Provider password was set');
	});
});

describe('updateName', () => {
	it('saves a trimmed name under the rules of sign-up', async () => {
		const user = await createTestUser(database.db);
		expect(await updateName(database.db, user.id, '  Grace Hopper ')).toEqual({ status: 'done', name: 'Grace Hopper' });
		const [row] = await database.db.select({ name: users.name }).from(users).where(eq(users.id, user.id));
		expect(row.name).toBe('Grace Hopper');
		expect(await updateName(database.db, user.id, '   ')).toEqual({ status: 'invalid', error: 'Enter your name.' });
		expect(await updateName(database.db, user.id, 'Bad\u0007Name')).toEqual({ status: 'invalid', error: 'Use letters, digits, spaces and punctuation only.' });
		expect(await updateName(database.db, user.id, 'x'.repeat(101))).toEqual({ status: 'invalid', error: 'Use at most 100 characters.' });
		expect(await updateName(database.db, user.id, 42)).toEqual({ status: 'invalid', error: 'Enter your name.' });
	});
});
