// Change of address: the new address gets a single-use link (a one_time_token with purpose
// 'change-email'), the old one a notice, and the address changes only when the link is
// confirmed by the account's owner, signed in. Asking needs the current password (or, for an
// account without one, only) and, like every sensitive action, a recent sign-in
// (recent-auth.ts), so a stolen session alone cannot move the account to an attacker's mailbox,
// from where a password reset would take it over.
import { and, eq, ne } from 'drizzle-orm';
import type { Database } from '../db';
import { users } from '../db/schema';
import { sendInBackground } from '../mail/mailer';
import { emailChangedMail, emailChangeLinkMail, emailChangeRequestedMail, emailInUseMail } from './account-mail';
import { consumeOneTimeToken, findOneTimeToken, issueOneTimeToken, revokeOneTimeTokens } from './one-time-tokens';
import { rateLimitedMessage, signInWithPassword, type SignInLimits } from './password-sign-in';
import { recipientKey, type AccountMailSettings } from './password-reset';
import { reserveAttempt } from './rate-limit';
import { DEFAULT_RECENT_AUTH_SECONDS, isRecentAuthentication } from './recent-auth';
import { normalizeEmail } from './user';

/**
 * A change link works for one hour: the person has to switch to another mailbox (often another
 * device) to open it, which takes longer than a reset; yet the link moves where the account's
 * reset mails go, so it must not stay usable for long.
 */
export const EMAIL_CHANGE_LINK_TTL_SECONDS = 60 * 60;
export const CONFIRM_EMAIL_CHANGE_PATH = '/account/email/confirm';

export interface EmailChangeRequester {
	userId: string;
	email: string;
	/** When the session last authenticated (OIDC `auth_time`). */
	authTime: Date;
	clientAddress: string;
}

export type EmailChangeRequestOutcome =
	| { status: 'invalid'; errors: { email?: string; password?: string } }
	| { status: 'rate-limited'; message: string }
	| { status: 'sign-in-again' }
	| { status: 'accepted'; newEmail: string; delivery: Promise<'sent' | 'in-use' | 'capped' | 'failed'> };

/** Whether the account signs in with a password (accounts made through GitHub or Google may not). */
export async function accountHasPassword(db: Database, userId: string): Promise<boolean> {
	const [row] = await db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, userId)).limit(1);
	return !!row?.passwordHash;
}

/**
 * Asks to change the account's address to `newEmail`. The answer is the same whether or not the
 * new address already has an account: the new address gets either the link or a mail saying it
 * is in use, and the current address a notice either way. Past RATE_LIMIT_MAIL_PER_RECIPIENT
 * (per account, and per new address) the answer is the same and nothing is sent.
 */
export async function requestEmailChange(
	db: Database,
	requester: EmailChangeRequester,
	input: { newEmail: unknown; password: unknown },
	settings: AccountMailSettings & { signInLimits: SignInLimits; recentAuthSeconds?: number },
	now = new Date()
): Promise<EmailChangeRequestOutcome> {
	if (!isRecentAuthentication(requester.authTime, settings.recentAuthSeconds ?? DEFAULT_RECENT_AUTH_SECONDS, now)) return { status: 'sign-in-again' };
	const newEmail = normalizeEmail(input.newEmail);
	if (!newEmail) return { status: 'invalid', errors: { email: 'Enter an email address like name@example.com.' } };
	if (newEmail === requester.email) return { status: 'invalid', errors: { email: 'This is already the address of your account. Enter a different one.' } };
	if (await accountHasPassword(db, requester.userId)) {
		const password = typeof input.password === 'string' ? input.password : '';
		if (!password) return { status: 'invalid', errors: { password: 'Enter your current password.' } };
		// Counted and held back exactly like sign-in: this form must not be a way around those limits.
		const proof = await signInWithPassword(db, { email: requester.email, password, clientAddress: requester.clientAddress }, settings.signInLimits, now);
		if ('failure' in proof) {
			if (proof.failure === 'rate-limited') return { status: 'rate-limited', message: rateLimitedMessage(proof.retryAfterSeconds) };
			return { status: 'invalid', errors: { password: 'This is not your current password.' } };
		}
	}
	const perAccount = await reserveAttempt(db, `change-email:account:${requester.userId}`, settings.limits.mailsPerRecipient, now);
	const perRecipient = perAccount.admitted
		? await reserveAttempt(db, recipientKey('change-email', newEmail), settings.limits.mailsPerRecipient, now)
		: perAccount;
	const delivery = perRecipient.admitted
		? issueAndSend(db, requester, newEmail, settings, now).catch((error: unknown) => {
				console.error(`[sso] could not prepare a change-of-address mail: ${error instanceof Error ? error.message : String(error)}`);
				return 'failed' as const;
			})
		: Promise.resolve('capped' as const);
	return { status: 'accepted', newEmail, delivery };
}

async function issueAndSend(
	db: Database,
	requester: EmailChangeRequester,
	newEmail: string,
	settings: AccountMailSettings,
	now: Date
): Promise<'sent' | 'in-use'> {
	const minutes = EMAIL_CHANGE_LINK_TTL_SECONDS / 60;
	sendInBackground(settings.mailer, emailChangeRequestedMail(settings.issuer, requester.email, newEmail, minutes), 'change-of-address notice');
	await new Promise((resolve) => setImmediate(resolve));
	const [owner] = await db.select({ id: users.id }).from(users).where(eq(users.email, newEmail)).limit(1);
	if (owner) {
		sendInBackground(settings.mailer, emailInUseMail(settings.issuer, newEmail), 'address in use');
		return 'in-use';
	}
	await revokeOneTimeTokens(db, requester.userId, 'change-email');
	const token = await issueOneTimeToken(
		db,
		{ purpose: 'change-email', userId: requester.userId, email: newEmail, payload: { from: requester.email }, ttlSeconds: EMAIL_CHANGE_LINK_TTL_SECONDS },
		now
	);
	const link = `${settings.issuer}${CONFIRM_EMAIL_CHANGE_PATH}?token=${encodeURIComponent(token)}`;
	sendInBackground(settings.mailer, emailChangeLinkMail(settings.issuer, newEmail, requester.email, link, minutes), 'change-of-address link');
	return 'sent';
}

export interface EmailChangeLink {
	userId: string;
	currentEmail: string;
	newEmail: string;
}

/** The change a link asks for, while it is genuine, unused, unexpired and the account still has the address it was asked from. */
export async function findEmailChangeLink(db: Database, token: unknown, now = new Date()): Promise<EmailChangeLink | null> {
	const found = await findOneTimeToken(db, token, 'change-email', now);
	if (!found?.userId) return null;
	const [user] = await db.select({ email: users.email }).from(users).where(eq(users.id, found.userId)).limit(1);
	if (!user || user.email !== fromOf(found.payload)) return null;
	return { userId: found.userId, currentEmail: user.email, newEmail: found.email };
}

export type EmailChangeOutcome =
	{ status: 'invalid-link' } | { status: 'other-account' } | { status: 'taken'; newEmail: string } | { status: 'done'; oldEmail: string; newEmail: string };

/**
 * Confirms a change with its link, signed in as the account it is for: the link proves the new
 * mailbox, the session the account (a mistyped address's owner cannot take the account). The
 * link is used up; if another account took the address meanwhile, nothing changes (the unique
 * index decides, so a race cannot give two accounts one address). The address counts as
 * verified, reset links sent to the old address stop working, and the old address is told.
 */
export async function confirmEmailChange(
	db: Database,
	input: { token: unknown; signedInUserId: string },
	settings: Pick<AccountMailSettings, 'issuer' | 'mailer'>,
	now = new Date()
): Promise<EmailChangeOutcome> {
	const link = await findEmailChangeLink(db, input.token, now);
	if (!link) return { status: 'invalid-link' };
	if (link.userId !== input.signedInUserId) return { status: 'other-account' };
	const used = await consumeOneTimeToken(db, input.token, 'change-email', now);
	if (!used) return { status: 'invalid-link' };
	let changed: { email: string }[];
	try {
		changed = await db
			.update(users)
			.set({ email: link.newEmail, emailVerified: true, updatedAt: now })
			.where(and(eq(users.id, link.userId), eq(users.email, link.currentEmail), ne(users.email, link.newEmail)))
			.returning({ email: users.email });
	} catch (error) {
		if (isUniqueViolation(error)) return { status: 'taken', newEmail: link.newEmail };
		throw error;
	}
	if (changed.length === 0) return { status: 'invalid-link' };
	await Promise.all([revokeOneTimeTokens(db, link.userId, 'change-email'), revokeOneTimeTokens(db, link.userId, 'reset-password')]);
	sendInBackground(settings.mailer, emailChangedMail(settings.issuer, link.currentEmail, link.newEmail), 'address changed');
	return { status: 'done', oldEmail: link.currentEmail, newEmail: link.newEmail };
}

/** Postgres 23505 (unique_violation), from postgres.js or PGlite, possibly wrapped by drizzle. */
function isUniqueViolation(error: unknown): boolean {
	for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
		if ((e as { code?: unknown }).code === '23505') return true;
	}
	return false;
}

function fromOf(payload: unknown): string | null {
	return typeof payload === 'object' && payload !== null && 'from' in payload && typeof payload.from === 'string' ? payload.from : null;
}
