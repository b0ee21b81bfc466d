import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../tests/support/database';
import { oneTimeTokens, users } from '../db/schema';
import type { Mailer } from '../mail/mailer';
import type { MailMessage } from '../mail/message';
import { consumeOneTimeToken, issueOneTimeToken } from './one-time-tokens';
import { verifyPassword } from './password';
import { confirmSignUp, requestSignUp, SIGN_UP_LINK_TTL_SECONDS, SIGN_UP_MAILS_PER_ADDRESS } from './sign-up';
import { createUser } from './user';

const database = useTestDatabase();
const ISSUER = 'https://id.example.com';

/** A Mailer that keeps what it was given (the SMTP path itself is tested in mail/mailer.test.ts). */
type RecordingMailer = Mailer & { sent: MailMessage[] };

function recordingMailer(): RecordingMailer {
	const sent: MailMessage[] = [];
	return { sent, send: async (message) => void sent.push(message) };
}

function tokenIn(message: MailMessage): string {
	const link = message.text.match(/https:\/\/id\.example\.com\/auth\/verify-email\?token=\S+/)?.[0];
	if (!link) throw new Error(`no confirmation link in: ${message.text}`);
	return new URL(link).searchParams.get('token')!;
}

async function request(email: string, options: { mailer?: RecordingMailer; returnTo?: string | null; now?: Date; password?: string } = {}) {
	const mailer = options.mailer ?? recordingMailer();
	await requestSignUp(
		{ db: database.db, mailer, issuer: ISSUER, now: options.now },
		{ name: 'Ada', email, password: options.password ?? 'correct horse battery' },
		options.returnTo ?? null
	);
	return mailer;
}

describe('requestSignUp for a free address', () => {
	it('creates no account; mails one link whose secret is stored only as a hash, with neither the password nor its hash in the mail', async () => {
		const mailer = recordingMailer();
		await request('free@example.com', { mailer });
		expect(await database.db.select().from(users).where(eq(users.email, 'free@example.com'))).toEqual([]);
		expect(mailer.sent).toHaveLength(1);
		const [message] = mailer.sent;
		expect(message.to).toBe('free@example.com');
		expect(message.subject).toBe('Confirm your email address for SSO Provider');
		const token = tokenIn(message);
		const [row] = await database.db.select().from(oneTimeTokens).where(eq(oneTimeTokens.email, 'free@example.com'));
		expect(row).toMatchObject({ purpose: 'sign-up', userId: null, id: token.split('.')[0] });
		expect(row.secretHash).not.toBe(token.split('.')[1]);
		const payload = row.payload as { passwordHash: string };
		expect(payload.passwordHash).toMatch(/^\$argon2id\$/);
		for (const part of [message.text, message.html]) {
			expect(part).not.toContain('correct horse battery');
			expect(part).not.toContain(payload.passwordHash);
			expect(part).not.toContain(row.secretHash);
		}
	});

	it('the link works for 24 hours', async () => {
		const now = new Date('2030-01-01T00:00:00Z');
		const token = tokenIn((await request('ttl@example.com', { now })).sent[0]);
		const [row] = await database.db.select().from(oneTimeTokens).where(eq(oneTimeTokens.email, 'ttl@example.com'));
		expect(row.expiresAt.getTime() - now.getTime()).toBe(SIGN_UP_LINK_TTL_SECONDS * 1000);
		expect(await confirmSignUp(database.db, token, new Date(now.getTime() + SIGN_UP_LINK_TTL_SECONDS * 1000))).toEqual({ failure: 'invalid' });
	});

	it('a newer sign-up for the address replaces the pending one: only the newest link works', async () => {
		const first = tokenIn((await request('again@example.com')).sent[0]);
		const second = tokenIn((await request('again@example.com', { password: 'another long passphrase' })).sent[0]);
		expect(await confirmSignUp(database.db, first)).toEqual({ failure: 'invalid' });
		const confirmed = await confirmSignUp(database.db, second);
		expect('user' in confirmed).toBe(true);
		const [row] = await database.db.select().from(users).where(eq(users.email, 'again@example.com'));
		expect(await verifyPassword(row.passwordHash!, 'another long passphrase')).toBe(true);
	});
});

describe('requestSignUp for an address that has an account', () => {
	it('issues no link and changes nothing; the owner gets a note pointing to sign-in and password reset', async () => {
		const owner = await createUser(database.db, { name: 'Owner', email: 'taken@example.com', password: 'owner passphrase' });
		const mailer = await request('taken@example.com', { password: 'attacker passphrase' });
		expect(await database.db.select().from(oneTimeTokens).where(eq(oneTimeTokens.email, 'taken@example.com'))).toEqual([]);
		expect(mailer.sent).toHaveLength(1);
		const [message] = mailer.sent;
		expect(message.to).toBe('taken@example.com');
		expect(message.subject).toMatch(/^Someone tried to create an account with your address/);
		expect(message.text).toContain(`${ISSUER}/auth/login`);
		expect(message.text).toContain(`${ISSUER}/auth/forgot-password`);
		expect(message.text).not.toContain('attacker passphrase');
		const [row] = await database.db.select().from(users).where(eq(users.id, owner!.id));
		expect(await verifyPassword(row.passwordHash!, 'owner passphrase')).toBe(true);
	});
});

describe('mail per target address is capped', () => {
	it(`after ${SIGN_UP_MAILS_PER_ADDRESS.limit} requests in an hour nothing more is sent (free or taken), and the hour after it is again`, async () => {
		const now = new Date('2030-02-01T00:00:00Z');
		await createUser(database.db, { name: 'Victim', email: 'victim@example.com', password: 'victim passphrase' });
		for (const email of ['victim@example.com', 'stranger@example.com']) {
			const mailer = recordingMailer();
			for (let i = 0; i < SIGN_UP_MAILS_PER_ADDRESS.limit + 5; i++) await request(email, { mailer, now });
			expect(mailer.sent, email).toHaveLength(SIGN_UP_MAILS_PER_ADDRESS.limit);
			const later = await request(email, { now: new Date(now.getTime() + SIGN_UP_MAILS_PER_ADDRESS.windowSeconds * 1000) });
			expect(later.sent, email).toHaveLength(1);
		}
	});
});

describe('confirmSignUp', () => {
	it('creates the account with the address verified and the chosen password, and returns where to continue', async () => {
		const token = tokenIn((await request('confirm@example.com', { returnTo: '/api/auth/authorize?client_id=x' })).sent[0]);
		const result = await confirmSignUp(database.db, token);
		if (!('user' in result)) throw new Error(JSON.stringify(result));
		expect(result.user).toMatchObject({ email: 'confirm@example.com', name: 'Ada', emailVerified: true });
		expect(result.returnTo).toBe('/api/auth/authorize?client_id=x');
		const [row] = await database.db.select().from(users).where(eq(users.id, result.user.id));
		expect(await verifyPassword(row.passwordHash!, 'correct horse battery')).toBe(true);
	});

	it('a return_to that would leave the provider is dropped', async () => {
		const token = tokenIn((await request('offsite@example.com', { returnTo: '//evil.example/phish' })).sent[0]);
		expect(await confirmSignUp(database.db, token)).toMatchObject({ returnTo: null });
	});

	it('works once: parallel confirmations make exactly one account', async () => {
		const token = tokenIn((await request('parallel@example.com')).sent[0]);
		const results = await Promise.all(Array.from({ length: 8 }, () => confirmSignUp(database.db, token)));
		expect(results.filter((r) => 'user' in r)).toHaveLength(1);
		expect(results.filter((r) => 'failure' in r && r.failure === 'invalid')).toHaveLength(7);
		expect(await database.db.select().from(users).where(eq(users.email, 'parallel@example.com'))).toHaveLength(1);
	});

	it('when the address got an account meanwhile, that account stays and the link says so', async () => {
		const token = tokenIn((await request('meanwhile@example.com')).sent[0]);
		const other = await createUser(database.db, { name: 'Other', email: 'meanwhile@example.com', password: 'other passphrase' });
		expect(await confirmSignUp(database.db, token)).toEqual({ failure: 'address-taken', email: 'meanwhile@example.com' });
		const rows = await database.db.select().from(users).where(eq(users.email, 'meanwhile@example.com'));
		expect(rows.map((r) => r.id)).toEqual([other!.id]);
	});

	it('a token is only good for its own purpose, both ways', async () => {
		const user = await createUser(database.db, { name: 'Reset', email: 'purpose@example.com', password: 'reset passphrase' });
		const reset = await issueOneTimeToken(database.db, {
			purpose: 'reset-password',
			userId: user!.id,
			email: 'other-purpose@example.com',
			payload: { name: 'X', passwordHash: 'x' },
			ttlSeconds: 600
		});
		expect(await confirmSignUp(database.db, reset)).toEqual({ failure: 'invalid' });
		const signUpLink = tokenIn((await request('purpose-2@example.com')).sent[0]);
		expect(await consumeOneTimeToken(database.db, signUpLink, 'reset-password')).toBeNull();
		expect(await consumeOneTimeToken(database.db, signUpLink, 'change-email')).toBeNull();
		// ...and the sign-up link still works for sign-up.
		expect('user' in (await confirmSignUp(database.db, signUpLink))).toBe(true);
	});

	it.each([['not-a-token'], [''], [null], [42], ['abc.def']])('an invalid token (%j) → invalid, nothing created', async (token) => {
		const before = (await database.db.select().from(users)).length;
		expect(await confirmSignUp(database.db, token)).toEqual({ failure: 'invalid' });
		expect((await database.db.select().from(users)).length).toBe(before);
	});
});
