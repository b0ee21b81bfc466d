import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { createTestUser } from '../../../../tests/support/fixtures';
import { useTestDatabase } from '../../../../tests/support/database';
import { linksOf, memoryMailer } from '../../../../tests/support/memory-mailer';
import type { AccountMailLimits } from '../config-account-mail';
import { oneTimeTokens, users } from '../db/schema';
import { findEmailChangeLink } from './email-change';
import { findOneTimeToken, issueOneTimeToken } from './one-time-tokens';
import { verifyPassword } from './password';
import { findPasswordResetLink, requestPasswordReset, resetPassword, RESET_LINK_TTL_SECONDS } from './password-reset';
import { signInWithPassword, type SignInLimits } from './password-sign-in';

const database = useTestDatabase();
const ISSUER = 'https://sso.example.com';
const LIMITS: AccountMailLimits = {
	resetRequestsPerAddress: { kind: 'window', limit: 50, windowSeconds: 3600 },
	mailsPerRecipient: { kind: 'window', limit: 3, windowSeconds: 3600 }
};
const T0 = new Date('2030-01-01T00:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const NEW_PASSWORD = 'a fresh and unguessable passphrase';
let mailer = memoryMailer();
let nextAddress = 1;
const freshAddress = () => `203.0.113.${nextAddress++}`;
beforeEach(() => {
	mailer = memoryMailer();
});

async function ask(email: string, options: { clientAddress?: string; returnTo?: string; now?: Date } = {}) {
	const outcome = await requestPasswordReset(
		database.db,
		{ email, clientAddress: options.clientAddress ?? freshAddress(), returnTo: options.returnTo },
		{ issuer: ISSUER, mailer, limits: LIMITS },
		options.now ?? T0
	);
	const delivery = outcome.status === 'accepted' ? await outcome.delivery : null;
	return { outcome, delivery };
}

/** The token of the reset link mailed to `email` (the last one). */
function mailedToken(email: string): string {
	const mail = mailer.to(email).at(-1);
	if (!mail) throw new Error(`no mail to ${email}`);
	const link = new URL(linksOf(mail)[0]);
	expect(link.origin + link.pathname).toBe(`${ISSUER}/auth/reset-password`);
	return link.searchParams.get('token')!;
}

const reset = (token: string, password: string, now = at(60)) => resetPassword(database.db, { token, password }, { issuer: ISSUER, mailer }, now);

describe('requestPasswordReset', () => {
	it('answers an existing and an unknown address alike; only the account gets a mail', async () => {
		const user = await createTestUser(database.db);
		const known = await ask(user.email);
		const unknown = await ask('nobody-here@example.com');
		expect(known.outcome).toMatchObject({ status: 'accepted', email: user.email });
		expect(unknown.outcome).toMatchObject({ status: 'accepted', email: 'nobody-here@example.com' });
		expect(Object.keys(known.outcome)).toEqual(Object.keys(unknown.outcome));
		expect([known.delivery, unknown.delivery]).toEqual(['sent', 'no-account']);
		expect(mailer.sent.map((m) => m.to)).toEqual([user.email]);
	});

	it('mails a link to the provider (built from the issuer), with a text and an HTML part naming the service and the reason', async () => {
		const user = await createTestUser(database.db);
		await ask(user.email.toUpperCase());
		const [mail] = mailer.to(user.email);
		expect(mail.subject).toBe('Reset your SSO Provider password');
		expect(mail.text).toContain('SSO Provider: you received this because a password reset was requested');
		expect(mail.text).toContain('30 minutes');
		expect(mail.html).toContain('<a href="https://sso.example.com/auth/reset-password?token=');
		const token = mailedToken(user.email);
		// What the mail carries is the only copy of the secret: the table keeps its hash.
		const [row] = await database.db
			.select()
			.from(oneTimeTokens)
			.where(eq(oneTimeTokens.id, token.split('.')[0]));
		expect(row.purpose).toBe('reset-password');
		expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(RESET_LINK_TTL_SECONDS * 1000);
		expect(mail.text + mail.html).not.toContain(row.secretHash);
	});

	it('a new link replaces the older ones', async () => {
		const user = await createTestUser(database.db);
		await ask(user.email);
		const first = mailedToken(user.email);
		await ask(user.email, { now: at(5) });
		const second = mailedToken(user.email);
		expect(await findPasswordResetLink(database.db, first, at(10))).toBeNull();
		expect(await findPasswordResetLink(database.db, second, at(10))).toMatchObject({ email: user.email });
	});

	it(`caps mails to one address at ${LIMITS.mailsPerRecipient.limit} per window, with the same answer, whether or not it has an account`, async () => {
		const user = await createTestUser(database.db);
		for (const email of [user.email, 'flooded-nobody@example.com']) {
			const deliveries = [];
			for (let i = 0; i < 5; i++) {
				const { outcome, delivery } = await ask(email, { now: at(i) });
				expect(outcome.status).toBe('accepted');
				deliveries.push(delivery);
			}
			expect(deliveries.slice(3)).toEqual(['capped', 'capped']);
		}
		expect(mailer.to(user.email)).toHaveLength(3);
		// The next window sends again.
		expect((await ask(user.email, { now: at(3600) })).delivery).toBe('sent');
	});

	it('limits requests per client address (then says so: that reveals nothing about accounts)', async () => {
		const address = freshAddress();
		const limits = { ...LIMITS, resetRequestsPerAddress: { kind: 'window' as const, limit: 2, windowSeconds: 3600 } };
		const results = [];
		for (let i = 0; i < 3; i++)
			results.push(await requestPasswordReset(database.db, { email: `x${i}@example.com`, clientAddress: address }, { issuer: ISSUER, mailer, limits }, T0));
		expect(results.map((r) => r.status)).toEqual(['accepted', 'accepted', 'rate-limited']);
	});

	it('refuses what is not an email address', async () => {
		for (const email of ['', 'not-an-address', 'a@b', 42, null]) {
			expect((await requestPasswordReset(database.db, { email, clientAddress: freshAddress() }, { issuer: ISSUER, mailer, limits: LIMITS }, T0)).status).toBe(
				'invalid-email'
			);
		}
		expect(mailer.sent).toEqual([]);
	});

	it('keeps a same-origin return_to for after the reset, and drops any other', async () => {
		const user = await createTestUser(database.db);
		await ask(user.email, { returnTo: '/api/auth/authorize?client_id=x' });
		expect(await findPasswordResetLink(database.db, mailedToken(user.email), at(1))).toMatchObject({ returnTo: '/api/auth/authorize?client_id=x' });
		await ask(user.email, { returnTo: '//evil.example/phish', now: at(2) });
		expect(await findPasswordResetLink(database.db, mailedToken(user.email), at(3))).toMatchObject({ returnTo: null });
	});
});

describe('resetPassword', () => {
	it('refuses a weak password beside the field, and the link keeps working', async () => {
		const user = await createTestUser(database.db, { name: 'Grace Hopper' });
		await ask(user.email);
		const token = mailedToken(user.email);
		expect(await reset(token, 'short')).toEqual({ status: 'refused', message: 'Use at least 8 characters.' });
		expect(await reset(token, 'password1')).toMatchObject({ status: 'refused', message: expect.stringMatching(/most common/) });
		expect(await reset(token, 'Grace Hopper 1906')).toMatchObject({ status: 'refused', message: expect.stringMatching(/your name/) });
		expect(await reset(token, NEW_PASSWORD)).toMatchObject({ status: 'done', user: { id: user.id, email: user.email } });
	});

	it('sets the new password, marks the address verified, and mails a notice without the password', async () => {
		const user = await createTestUser(database.db, { emailVerified: false });
		await ask(user.email);
		expect(await reset(mailedToken(user.email), NEW_PASSWORD)).toMatchObject({ status: 'done' });
		const [row] = await database.db.select().from(users).where(eq(users.id, user.id));
		expect(await verifyPassword(row.passwordHash!, NEW_PASSWORD)).toBe(true);
		expect(await verifyPassword(row.passwordHash!, user.password)).toBe(false);
		expect(row.emailVerified).toBe(true);
		await new Promise((resolve) => setImmediate(resolve));
		const notice = mailer.to(user.email).at(-1)!;
		expect(notice.subject).toBe('Your SSO Provider password was changed');
		expect(notice.text).toContain('If this was not you');
		for (const part of [notice.text, notice.html]) {
			expect(part).not.toContain(NEW_PASSWORD);
			expect(part).not.toContain(row.passwordHash!);
		}
	});

	it('works once: of 5 parallel submissions exactly one changes the password', async () => {
		const user = await createTestUser(database.db);
		await ask(user.email);
		const token = mailedToken(user.email);
		const results = await Promise.all(Array.from({ length: 5 }, (_, i) => reset(token, `${NEW_PASSWORD} ${i}`)));
		expect(results.filter((r) => r.status === 'done')).toHaveLength(1);
		expect(results.filter((r) => r.status === 'invalid-link')).toHaveLength(4);
		expect(await reset(token, NEW_PASSWORD, at(120))).toEqual({ status: 'invalid-link' });
	});

	it('expires after 30 minutes', async () => {
		const user = await createTestUser(database.db);
		await ask(user.email);
		const token = mailedToken(user.email);
		expect(await findPasswordResetLink(database.db, token, at(RESET_LINK_TTL_SECONDS - 1))).not.toBeNull();
		expect(await reset(token, NEW_PASSWORD, at(RESET_LINK_TTL_SECONDS))).toEqual({ status: 'invalid-link' });
	});

	it('refuses a token issued for another purpose', async () => {
		const user = await createTestUser(database.db);
		const token = await issueOneTimeToken(
			database.db,
			{ purpose: 'change-email', userId: user.id, email: user.email, payload: { from: user.email }, ttlSeconds: 3600 },
			T0
		);
		expect(await reset(token, NEW_PASSWORD)).toEqual({ status: 'invalid-link' });
	});

	it('lifts the hold that guessers put on the account: the owner signs in at once, from the same address', async () => {
		const user = await createTestUser(database.db);
		const signInLimits: SignInLimits = {
			perAccountAndAddress: { kind: 'window', limit: 3, windowSeconds: 900 },
			perAddress: { kind: 'window', limit: 100, windowSeconds: 900 },
			perAccount: { kind: 'delay', freeAttempts: 3, windowSeconds: 3600, firstDelaySeconds: 60, maxDelaySeconds: 600 }
		};
		const attempt = (password: string, address: string, seconds: number) =>
			signInWithPassword(database.db, { email: user.email, password, clientAddress: address }, signInLimits, at(seconds));
		for (let i = 0; i < 4; i++) await attempt('wrong', '198.51.100.9', i);
		expect(await attempt(user.password, '198.51.100.9', 10)).toMatchObject({ failure: 'rate-limited' });
		await ask(user.email, { now: at(20) });
		expect(await reset(mailedToken(user.email), NEW_PASSWORD, at(30))).toMatchObject({ status: 'done' });
		expect(await attempt(NEW_PASSWORD, '198.51.100.9', 31)).toMatchObject({ user: { id: user.id } });
	});

	it('cancels a pending change of address (asked for by whoever knew the old password)', async () => {
		const user = await createTestUser(database.db);
		const change = await issueOneTimeToken(
			database.db,
			{ purpose: 'change-email', userId: user.id, email: 'attacker@example.com', payload: { from: user.email }, ttlSeconds: 3600 },
			T0
		);
		await ask(user.email);
		await reset(mailedToken(user.email), NEW_PASSWORD);
		expect(await findEmailChangeLink(database.db, change, at(61))).toBeNull();
	});

	it('lets an account without a password (GitHub or Google only) set one', async () => {
		const user = await createTestUser(database.db);
		await database.db.update(users).set({ passwordHash: null }).where(eq(users.id, user.id));
		await ask(user.email);
		expect(await reset(mailedToken(user.email), NEW_PASSWORD)).toMatchObject({ status: 'done' });
		const [row] = await database.db.select().from(users).where(eq(users.id, user.id));
		expect(await verifyPassword(row.passwordHash!, NEW_PASSWORD)).toBe(true);
	});

	it('a link sent before the address changed no longer works', async () => {
		const user = await createTestUser(database.db);
		await ask(user.email);
		const token = mailedToken(user.email);
		await database.db
			.update(users)
			.set({ email: `moved-${user.email}` })
			.where(eq(users.id, user.id));
		expect(await reset(token, NEW_PASSWORD)).toEqual({ status: 'invalid-link' });
		expect(await findOneTimeToken(database.db, token, 'reset-password', at(60))).not.toBeNull();
	});
});
