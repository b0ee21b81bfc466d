// "Forgot password?": a mailed, single-use link (a one_time_token with purpose
// 'reset-password', stored as the SHA-256 of its secret) that lets the owner of the mailbox
// choose a new password. OWASP Forgot Password Cheat Sheet: same answer whether or not the
// account exists, the mail sent off the request path, a short-lived single-use token, and a
// reset that ends every session. The route ends the sessions (oidc/logout.ts, which also
// notifies the relying parties by back-channel logout).
import { eq } from 'drizzle-orm';
import type { Database } from '../db';
import { users } from '../db/schema';
import type { AccountMailLimits } from '../config-account-mail';
import { sendInBackground, type Mailer } from '../mail/mailer';
import { passwordChangedMail, passwordResetMail } from './account-mail';
import { reserveForAddress } from './client-address';
import { consumeOneTimeToken, findOneTimeToken, issueOneTimeToken, revokeOneTimeTokens } from './one-time-tokens';
import { hashPassword } from './password';
import { clearFailedSignIns } from './password-sign-in';
import { reserveAttempt } from './rate-limit';
import { safeReturnTo } from './return-to';
import { newPasswordProblem, normalizeEmail } from './user';

/** A reset link works for 30 minutes: long enough to open the mail, short enough to be useless once forgotten in a mailbox. */
export const RESET_LINK_TTL_SECONDS = 30 * 60;
export const RESET_PASSWORD_PATH = '/auth/reset-password';

export interface AccountMailSettings {
	/** The provider's origin (config().issuer): links are built from it, never from the request's Host header. */
	issuer: string;
	mailer: Mailer;
	limits: AccountMailLimits;
}

/** What was done with a request, after the answer was given (for tests and logs; the answer never shows it). */
export type ResetDelivery = 'sent' | 'no-account' | 'capped' | 'failed';

export type ResetRequestOutcome =
	{ status: 'invalid-email' } | { status: 'rate-limited'; retryAfterSeconds: number } | { status: 'accepted'; email: string; delivery: Promise<ResetDelivery> };

/** The key that caps link mails to one address (RATE_LIMIT_MAIL_PER_RECIPIENT), per kind of mail. */
export function recipientKey(kind: 'password-reset' | 'change-email', email: string): string {
	return `mail:${kind}:${email}`;
}

/**
 * Asks for a reset link. The request does the same work whatever the address: it counts the
 * client address and the recipient address, then returns; looking the account up, issuing the
 * token and sending happen afterwards (`delivery`), so neither the answer nor its timing tells
 * whether an account exists. Past the recipient's limit the answer is the same and nothing is sent.
 */
export async function requestPasswordReset(
	db: Database,
	request: { email: unknown; clientAddress: string; returnTo?: unknown },
	settings: AccountMailSettings,
	now = new Date()
): Promise<ResetRequestOutcome> {
	const email = normalizeEmail(request.email);
	if (!email) return { status: 'invalid-email' };
	const byAddress = await reserveForAddress(db, 'password-reset', request.clientAddress, settings.limits.resetRequestsPerAddress, now);
	if (!byAddress.admitted) return { status: 'rate-limited', retryAfterSeconds: byAddress.retryAfterSeconds };
	const byRecipient = await reserveAttempt(db, recipientKey('password-reset', email), settings.limits.mailsPerRecipient, now);
	const returnTo = safeReturnTo(request.returnTo);
	const delivery = (byRecipient.admitted ? issueAndSend(db, email, returnTo, settings, now) : Promise.resolve<ResetDelivery>('capped')).catch(
		(error: unknown) => {
			console.error(`[sso] could not prepare a password reset mail: ${error instanceof Error ? error.message : String(error)}`);
			return 'failed' as const;
		}
	);
	return { status: 'accepted', email, delivery };
}

async function issueAndSend(db: Database, email: string, returnTo: string | null, settings: AccountMailSettings, now: Date): Promise<ResetDelivery> {
	// Off the request path: let the answer go out first.
	await new Promise((resolve) => setImmediate(resolve));
	const [user] = await db.select({ id: users.id }).from(users).where(eq(users.email, email)).limit(1);
	if (!user) return 'no-account';
	// A new link replaces the older ones: only the latest mail works.
	await revokeOneTimeTokens(db, user.id, 'reset-password');
	const token = await issueOneTimeToken(
		db,
		{ purpose: 'reset-password', userId: user.id, email, payload: { returnTo }, ttlSeconds: RESET_LINK_TTL_SECONDS },
		now
	);
	const link = `${settings.issuer}${RESET_PASSWORD_PATH}?token=${encodeURIComponent(token)}`;
	sendInBackground(settings.mailer, passwordResetMail(settings.issuer, email, link, RESET_LINK_TTL_SECONDS / 60), 'password reset');
	return 'sent';
}

export interface ResetLink {
	email: string;
	name: string;
	/** Where to continue after signing in again (the page the person was signing in to). */
	returnTo: string | null;
}

/** The account a reset link is for, while it is genuine, unused and unexpired; the link stays usable. */
export async function findPasswordResetLink(db: Database, token: unknown, now = new Date()): Promise<ResetLink | null> {
	const found = await findOneTimeToken(db, token, 'reset-password', now);
	if (!found?.userId) return null;
	const [user] = await db.select({ email: users.email, name: users.name }).from(users).where(eq(users.id, found.userId)).limit(1);
	// The address changed since the link was sent: it no longer proves the account's mailbox.
	if (!user || user.email !== found.email) return null;
	return { ...user, returnTo: returnToOf(found.payload) };
}

export type PasswordResetOutcome =
	{ status: 'invalid-link' } | { status: 'refused'; message: string } | { status: 'done'; user: { id: string; email: string }; returnTo: string | null };

/**
 * Sets the new password through a reset link. The password is checked before the link is used
 * (a refused password leaves the link working); then the link is consumed, so of any number of
 * parallel submissions exactly one changes the password. The account's address counts as
 * verified (its owner just read mail sent there), its failed sign-ins are forgotten, pending
 * changes of address are cancelled, and a notice goes to the address. The caller ends the
 * sessions (endAllSessionsOfUser).
 */
export async function resetPassword(
	db: Database,
	input: { token: unknown; password: unknown; serviceNames?: string[] },
	settings: Pick<AccountMailSettings, 'issuer' | 'mailer'>,
	now = new Date()
): Promise<PasswordResetOutcome> {
	const link = await findPasswordResetLink(db, input.token, now);
	if (!link) return { status: 'invalid-link' };
	const password = typeof input.password === 'string' ? input.password : '';
	const problem = newPasswordProblem(password, { email: link.email, name: link.name, serviceNames: input.serviceNames });
	if (problem) return { status: 'refused', message: problem };
	const passwordHash = await hashPassword(password);
	const used = await consumeOneTimeToken(db, input.token, 'reset-password', now);
	if (!used?.userId) return { status: 'invalid-link' };
	const [user] = await db
		.update(users)
		.set({ passwordHash, emailVerified: true, updatedAt: now })
		.where(eq(users.id, used.userId))
		.returning({ id: users.id, email: users.email });
	if (!user) return { status: 'invalid-link' };
	// A change of address requested by whoever had the old password must not outlive the reset.
	await Promise.all([revokeOneTimeTokens(db, user.id, 'reset-password'), revokeOneTimeTokens(db, user.id, 'change-email'), clearFailedSignIns(db, user.email)]);
	sendInBackground(settings.mailer, passwordChangedMail(settings.issuer, user.email), 'password changed');
	return { status: 'done', user, returnTo: link.returnTo };
}

function returnToOf(payload: unknown): string | null {
	return typeof payload === 'object' && payload !== null && 'returnTo' in payload ? safeReturnTo(payload.returnTo) : null;
}
