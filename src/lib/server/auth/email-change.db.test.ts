import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { createTestUser, type TestUser } from '../../../../tests/support/fixtures';
import { useTestDatabase } from '../../../../tests/support/database';
import { linksOf, memoryMailer } from '../../../../tests/support/memory-mailer';
import type { AccountMailLimits } from '../config-account-mail';
import { oneTimeTokens, users } from '../db/schema';
import { maskEmail } from './account-mail';
import { confirmEmailChange, EMAIL_CHANGE_LINK_TTL_SECONDS, findEmailChangeLink, requestEmailChange } from './email-change';
import { DEFAULT_RECENT_AUTH_SECONDS as RECENT_SIGN_IN_SECONDS } from './recent-auth';
import { issueOneTimeToken, findOneTimeToken } from './one-time-tokens';
import type { SignInLimits } from './password-sign-in';

const database = useTestDatabase();
const ISSUER = 'https://sso.example.com';
const LIMITS: AccountMailLimits = {
	resetRequestsPerAddress: { kind: 'window', limit: 50, windowSeconds: 3600 },
	mailsPerRecipient: { kind: 'window', limit: 3, windowSeconds: 3600 }
};
const SIGN_IN_LIMITS: SignInLimits = {
	perAccountAndAddress: { kind: 'window', limit: 3, windowSeconds: 900 },
	perAddress: { kind: 'window', limit: 100, windowSeconds: 900 },
	perAccount: { kind: 'delay', freeAttempts: 10, windowSeconds: 3600, firstDelaySeconds: 1, maxDelaySeconds: 60 }
};
const T0 = new Date('2030-01-01T00:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
let mailer = memoryMailer();
beforeEach(() => {
	mailer = memoryMailer();
});
let n = 0;
const newAddress = () => `new-${++n}-${Date.now().toString(36)}@example.net`;

async function ask(user: TestUser, newEmail: string, password: unknown = user.password, options: { now?: Date; authTime?: Date } = {}) {
	const outcome = await requestEmailChange(
		database.db,
		{ userId: user.id, email: user.email, authTime: options.authTime ?? T0, clientAddress: '192.0.2.1' },
		{ newEmail, password },
		{ issuer: ISSUER, mailer, limits: LIMITS, signInLimits: SIGN_IN_LIMITS },
		options.now ?? T0
	);
	const delivery = outcome.status === 'accepted' ? await outcome.delivery : null;
	await new Promise((resolve) => setImmediate(resolve));
	return { outcome, delivery };
}

function confirmToken(to: string): string {
	const mail = mailer.to(to).at(-1)!;
	const link = new URL(linksOf(mail)[0]);
	expect(link.origin + link.pathname).toBe(`${ISSUER}/account/email/confirm`);
	return link.searchParams.get('token')!;
}

const confirm = (token: string, userId: string, now = at(60)) =>
	confirmEmailChange(database.db, { token, signedInUserId: userId }, { issuer: ISSUER, mailer }, now);

describe('requestEmailChange', () => {
	it('needs the current password: a session alone changes nothing and sends nothing', async () => {
		const user = await createTestUser(database.db);
		expect((await ask(user, newAddress(), '')).outcome).toEqual({ status: 'invalid', errors: { password: 'Enter your current password.' } });
		expect((await ask(user, newAddress(), 'not the password')).outcome).toEqual({
			status: 'invalid',
			errors: { password: 'This is not your current password.' }
		});
		expect(mailer.sent).toEqual([]);
	});

	it('is held back like sign-in after repeated wrong passwords', async () => {
		const user = await createTestUser(database.db);
		for (let i = 0; i < 3; i++) await ask(user, newAddress(), 'wrong');
		expect((await ask(user, newAddress(), user.password)).outcome).toMatchObject({
			status: 'rate-limited',
			message: expect.stringMatching(/^Too many failed sign-in attempts/)
		});
		expect(mailer.sent).toEqual([]);
	});

	it('sends the link only to the new address, and a notice (with the new address masked, no link to confirm) to the old one', async () => {
		const user = await createTestUser(database.db);
		const target = newAddress();
		const { outcome, delivery } = await ask(user, target);
		expect(outcome).toMatchObject({ status: 'accepted', newEmail: target });
		expect(delivery).toBe('sent');
		expect(mailer.sent.map((m) => m.to).sort()).toEqual([target, user.email].sort());
		const token = confirmToken(target);
		const notice = mailer.to(user.email)[0];
		expect(notice.subject).toBe('A change of your SSO Provider email address was requested');
		expect(notice.text).toContain(maskEmail(target));
		expect(notice.text).not.toContain(target);
		expect(notice.text + notice.html).not.toContain(token);
		expect(notice.text).toContain('reset your password');
		const [row] = await database.db
			.select()
			.from(oneTimeTokens)
			.where(eq(oneTimeTokens.id, token.split('.')[0]));
		expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(EMAIL_CHANGE_LINK_TTL_SECONDS * 1000);
	});

	it("answers the same for another account's address, and tells that address instead of sending a link", async () => {
		const user = await createTestUser(database.db);
		const other = await createTestUser(database.db);
		const { outcome, delivery } = await ask(user, other.email.toUpperCase());
		expect(outcome).toMatchObject({ status: 'accepted', newEmail: other.email });
		expect(delivery).toBe('in-use');
		const toOther = mailer.to(other.email);
		expect(toOther).toHaveLength(1);
		expect(toOther[0].subject).toBe('Your address is already in use at SSO Provider');
		expect(linksOf(toOther[0]).every((l) => !l.includes('/account/email/confirm'))).toBe(true);
		expect(mailer.to(user.email)).toHaveLength(1);
		expect(await database.db.select().from(oneTimeTokens).where(eq(oneTimeTokens.userId, user.id))).toEqual([]);
	});

	it('refuses the current address and what is not an address', async () => {
		const user = await createTestUser(database.db);
		expect((await ask(user, user.email)).outcome).toMatchObject({ status: 'invalid', errors: { email: expect.stringMatching(/already the address/) } });
		expect((await ask(user, 'nope')).outcome).toMatchObject({ status: 'invalid', errors: { email: expect.any(String) } });
	});

	it('caps the mails per account: past the limit the same answer, nothing sent', async () => {
		const user = await createTestUser(database.db);
		const deliveries = [];
		for (let i = 0; i < 5; i++) deliveries.push((await ask(user, newAddress(), user.password, { now: at(i) })).delivery);
		expect(deliveries).toEqual(['sent', 'sent', 'sent', 'capped', 'capped']);
	});

	it('an account without a password needs a recent sign-in instead', async () => {
		const user = await createTestUser(database.db);
		await database.db.update(users).set({ passwordHash: null }).where(eq(users.id, user.id));
		const stale = await ask(user, newAddress(), undefined, { authTime: at(-RECENT_SIGN_IN_SECONDS - 1) });
		expect(stale.outcome).toEqual({ status: 'sign-in-again' });
		const fresh = await ask(user, newAddress(), undefined, { authTime: at(-60) });
		expect(fresh.delivery).toBe('sent');
	});

	it('the right password is not enough with a stale sign-in: a stolen session must sign in again first, and nothing is sent', async () => {
		const user = await createTestUser(database.db);
		const target = newAddress();
		const stale = await ask(user, target, user.password, { authTime: at(-RECENT_SIGN_IN_SECONDS - 1) });
		expect(stale.outcome).toEqual({ status: 'sign-in-again' });
		expect(mailer.to(target)).toEqual([]);
		expect(mailer.to(user.email)).toEqual([]);
	});
});

describe('confirmEmailChange', () => {
	it('changes the address, marks it verified, tells the old address, and ends reset links sent to it', async () => {
		const user = await createTestUser(database.db, { emailVerified: false });
		const reset = await issueOneTimeToken(database.db, { purpose: 'reset-password', userId: user.id, email: user.email, ttlSeconds: 1800 }, T0);
		const target = newAddress();
		await ask(user, target);
		const token = confirmToken(target);
		expect(await findEmailChangeLink(database.db, token, at(1))).toEqual({ userId: user.id, currentEmail: user.email, newEmail: target });
		expect(await confirm(token, user.id)).toEqual({ status: 'done', oldEmail: user.email, newEmail: target });
		const [row] = await database.db.select().from(users).where(eq(users.id, user.id));
		expect(row).toMatchObject({ email: target, emailVerified: true });
		expect(await findOneTimeToken(database.db, reset, 'reset-password', at(61))).toBeNull();
		await new Promise((resolve) => setImmediate(resolve));
		const notice = mailer.to(user.email).at(-1)!;
		expect(notice.subject).toBe('Your SSO Provider email address was changed');
		expect(notice.text).toContain(maskEmail(target));
		expect(await confirm(token, user.id, at(61))).toEqual({ status: 'invalid-link' });
	});

	it("needs the account's own session: signed in as someone else, nothing changes and the link stays usable", async () => {
		const user = await createTestUser(database.db);
		const stranger = await createTestUser(database.db);
		const target = newAddress();
		await ask(user, target);
		const token = confirmToken(target);
		expect(await confirm(token, stranger.id)).toEqual({ status: 'other-account' });
		expect(await confirm(token, user.id)).toMatchObject({ status: 'done' });
	});

	it('another account that took the address meanwhile keeps it: a clear outcome, no error', async () => {
		const user = await createTestUser(database.db);
		const target = newAddress();
		await ask(user, target);
		const token = confirmToken(target);
		await createTestUser(database.db, { email: target });
		expect(await confirm(token, user.id)).toEqual({ status: 'taken', newEmail: target });
		const [row] = await database.db.select().from(users).where(eq(users.id, user.id));
		expect(row.email).toBe(user.email);
	});

	it('two accounts confirming the same new address at once: exactly one gets it', async () => {
		const [a, b] = [await createTestUser(database.db), await createTestUser(database.db)];
		const target = newAddress();
		await ask(a, target);
		const tokenA = confirmToken(target);
		await ask(b, target);
		const tokenB = confirmToken(target);
		const results = await Promise.all([confirm(tokenA, a.id), confirm(tokenB, b.id)]);
		expect(results.map((r) => r.status).sort()).toEqual(['done', 'taken']);
	});

	it('expires after an hour, and refuses a reset-password token', async () => {
		const user = await createTestUser(database.db);
		const target = newAddress();
		await ask(user, target);
		const token = confirmToken(target);
		expect(await confirm(token, user.id, at(EMAIL_CHANGE_LINK_TTL_SECONDS))).toEqual({ status: 'invalid-link' });
		const reset = await issueOneTimeToken(
			database.db,
			{ purpose: 'reset-password', userId: user.id, email: target, payload: { from: user.email }, ttlSeconds: 1800 },
			T0
		);
		expect(await confirm(reset, user.id)).toEqual({ status: 'invalid-link' });
	});

	it('a newer link replaces the older one', async () => {
		const user = await createTestUser(database.db);
		const first = newAddress();
		await ask(user, first);
		const firstToken = confirmToken(first);
		await ask(user, newAddress(), user.password, { now: at(5) });
		expect(await confirm(firstToken, user.id)).toEqual({ status: 'invalid-link' });
	});
});
