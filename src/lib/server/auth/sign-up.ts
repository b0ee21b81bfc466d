import { and, eq, isNull } from 'drizzle-orm';
import type { Database } from '../db';
import { USER_COLUMNS } from '../db/queries/users';
import { oneTimeTokens, users } from '../db/schema';
import { sendInBackground, type Mailer } from '../mail/mailer';
import { composeMail, type MailMessage } from '../mail/message';
import { generateSecret } from '../secrets';
import { consumeOneTimeToken, findOneTimeToken, issueOneTimeToken } from './one-time-tokens';
import { hashPassword } from './password';
import { reserveAttempt, type WindowLimit } from './rate-limit';
import { safeReturnTo } from './return-to';
import { SERVICE_NAME, type SignUpInput, type User } from './user';

// Sign-up by email that never tells a stranger whether an address has an account (OWASP ASVS
// v4.0.3 §2.2 / WSTG-IDNT-04 "account enumeration"): the answer is always "check your inbox",
// and only the mailbox of the address learns which case it was. The account is created when
// the mailed link is used, so nobody can hold an address they cannot read mail for.

/** How long a confirmation link works. */
export const SIGN_UP_LINK_TTL_SECONDS = 24 * 3600;

/**
 * Mails one address may receive from sign-up per window: someone signing up again and again
 * with a victim's address must not flood the victim's inbox. Beyond it the answer stays the
 * same, and nothing is sent.
 */
export const SIGN_UP_MAILS_PER_ADDRESS: WindowLimit = { kind: 'window', limit: 3, windowSeconds: 3600 };

/** Where the forgotten-password page lives (the "someone tried" mail points there). */
export const FORGOT_PASSWORD_PATH = '/auth/forgot-password';
export const CONFIRM_PATH = '/auth/verify-email';

/** What sign-up says when the provider has no way to send mail (no SMTP_URL, no development mailbox). */
export const MAIL_OFF_MESSAGE =
	'Sign-up is unavailable because this provider cannot send email, and a new account needs a confirmed address. Ask the operator to set SMTP_URL.';

/** The one answer to every valid sign-up, whether or not the address has an account. */
export function checkYourInboxMessage(email: string): string {
	return `Check your inbox: if ${email} can receive mail, a message is on its way with what to do next.`;
}

export interface SignUpContext {
	db: Database;
	mailer: Mailer;
	/** The provider's origin: links in the mail point here. */
	issuer: string;
	now?: Date;
}

/** What a confirmation link keeps until it is used (in one_time_token.payload). */
interface PendingSignUp {
	name: string;
	passwordHash: string;
	returnTo: string | null;
}

/**
 * Handles a valid sign-up request the same way whether or not the address is taken: the
 * password is hashed in both cases (equal work), the one mail is sent in the background (equal
 * waiting), and the caller answers identically. Free address: a confirmation link (replacing
 * older pending ones). Taken address: a note to the owner that someone tried.
 */
export async function requestSignUp(context: SignUpContext, input: SignUpInput, returnTo: string | null): Promise<void> {
	const { db, mailer, issuer, now = new Date() } = context;
	const passwordHash = await hashPassword(input.password);
	const allowed = await reserveAttempt(db, `sign-up-mail:${input.email}`, SIGN_UP_MAILS_PER_ADDRESS, now);
	if (!allowed.admitted) return;
	const [owner] = await db.select({ id: users.id }).from(users).where(eq(users.email, input.email)).limit(1);
	if (owner) {
		sendInBackground(mailer, someoneTriedMail(input.email, issuer), 'sign-up (address taken)');
		return;
	}
	await db.delete(oneTimeTokens).where(and(eq(oneTimeTokens.purpose, 'sign-up'), eq(oneTimeTokens.email, input.email), isNull(oneTimeTokens.userId)));
	const payload: PendingSignUp = { name: input.name, passwordHash, returnTo: safeReturnTo(returnTo) };
	const token = await issueOneTimeToken(db, { purpose: 'sign-up', email: input.email, payload, ttlSeconds: SIGN_UP_LINK_TTL_SECONDS }, now);
	sendInBackground(mailer, confirmationMail(input.email, confirmationURL(issuer, token)), 'sign-up confirmation');
}

export function confirmationURL(issuer: string, token: string): string {
	return `${issuer}${CONFIRM_PATH}?${new URLSearchParams({ token })}`;
}

/** The address a confirmation link is for, while it is usable (the confirm page shows it); it stays usable. */
export async function pendingSignUpEmail(db: Database, token: unknown, now = new Date()): Promise<string | null> {
	return (await findOneTimeToken(db, token, 'sign-up', now))?.email ?? null;
}

export type SignUpConfirmation = { user: User; returnTo: string | null } | { failure: 'invalid' } | { failure: 'address-taken'; email: string };

/**
 * Uses a confirmation link up and creates the account, with its address verified (the link
 * proved it). Of parallel uses exactly one gets the token (consumeOneTimeToken), so a link
 * makes at most one account. If the address got an account meanwhile, that one stays.
 */
export async function confirmSignUp(db: Database, token: unknown, now = new Date()): Promise<SignUpConfirmation> {
	const found = await consumeOneTimeToken(db, token, 'sign-up', now);
	const pending = found && parsePendingSignUp(found.payload);
	if (!found || !pending) return { failure: 'invalid' };
	const [user] = await db
		.insert(users)
		.values({
			id: generateSecret(),
			email: found.email,
			name: pending.name,
			emailVerified: true,
			passwordHash: pending.passwordHash,
			createdAt: now,
			updatedAt: now
		})
		.onConflictDoNothing({ target: users.email })
		.returning(USER_COLUMNS);
	if (!user) return { failure: 'address-taken', email: found.email };
	return { user, returnTo: pending.returnTo };
}

function parsePendingSignUp(payload: unknown): PendingSignUp | null {
	if (typeof payload !== 'object' || payload === null) return null;
	const { name, passwordHash, returnTo } = payload as Record<string, unknown>;
	if (typeof name !== 'string' || typeof passwordHash !== 'string') return null;
	return { name, passwordHash, returnTo: safeReturnTo(returnTo) };
}

function confirmationMail(to: string, url: string): MailMessage {
	return composeMail(SERVICE_NAME, {
		to,
		subject: `Confirm your email address for ${SERVICE_NAME}`,
		heading: 'Confirm your email address',
		paragraphs: [
			`Someone (we hope you) asked to create an account with ${SERVICE_NAME} using this address.`,
			`Open the link below and press "Confirm and sign in" to finish. The link works once, for ${SIGN_UP_LINK_TTL_SECONDS / 3600} hours.`
		],
		action: { label: 'Confirm your address', url },
		footer: `you got this mail because this address was used to sign up. If that was not you, ignore it: no account is created unless the link is used.`
	});
}

function someoneTriedMail(to: string, issuer: string): MailMessage {
	return composeMail(SERVICE_NAME, {
		to,
		subject: `Someone tried to create an account with your address at ${SERVICE_NAME}`,
		heading: 'You already have an account',
		paragraphs: [
			`Someone just tried to create a new ${SERVICE_NAME} account with this email address, which already has an account. Nothing was changed.`,
			`If it was you, sign in at ${issuer}/auth/login instead. If you have forgotten your password, you can reset it with the link below.`
		],
		action: { label: 'Reset your password', url: `${issuer}${FORGOT_PASSWORD_PATH}` },
		footer: 'you got this mail because your address was entered on the sign-up page. If that was not you, you can ignore it: your account is unchanged.'
	});
}
