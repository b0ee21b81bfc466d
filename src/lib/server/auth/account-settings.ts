// The account page's own changes: the name, and the password (changed with the current one, or
// set for an account made through GitHub, Google or another provider, which has none). Ending
// the other sessions afterwards is protocol work (back-channel logout): oidc/account-settings.ts.
import { eq } from 'drizzle-orm';
import type { Database } from '../db';
import { users } from '../db/schema';
import type { Mailer } from '../mail/mailer';
import { sendInBackground } from '../mail/mailer';
import { passwordChangedSignedInMail } from './account-mail';
import { revokeOneTimeTokens } from './one-time-tokens';
import { hashPassword } from './password';
import { clearFailedSignIns, rateLimitedMessage, signInWithPassword, type SignInLimits } from './password-sign-in';
import { isRecentAuthentication } from './recent-auth';
import { nameProblem, newPasswordProblem } from './user';

export type NameUpdateOutcome = { status: 'invalid'; error: string } | { status: 'done'; name: string };

/** Saves a new display name under sign-up's rules (nameProblem). */
export async function updateName(db: Database, userId: string, input: unknown, now = new Date()): Promise<NameUpdateOutcome> {
	const name = typeof input === 'string' ? input.trim() : '';
	const error = nameProblem(name);
	if (error) return { status: 'invalid', error };
	await db.update(users).set({ name, updatedAt: now }).where(eq(users.id, userId));
	return { status: 'done', name };
}

export interface PasswordChanger {
	userId: string;
	/** When the session last authenticated (OIDC `auth_time`). */
	authTime: Date;
	clientAddress: string;
}

export interface PasswordChangeSettings {
	issuer: string;
	mailer: Mailer | null;
	signInLimits: SignInLimits;
	recentAuthSeconds: number;
	/** This deployment's words a password must not be made of (its host name). */
	serviceNames?: string[];
}

export type PasswordChangeOutcome =
	| { status: 'sign-in-again' }
	| { status: 'invalid'; errors: { currentPassword?: string; newPassword?: string } }
	| { status: 'rate-limited'; message: string }
	| { status: 'done'; kind: 'changed' | 'set' };

/**
 * Changes the password (the current one required) or sets the first one (an account without a
 * password has nothing to prove but its recent sign-in). Either way the session's sign-in must be
 * recent (recent-auth.ts). Afterwards the failed sign-ins of the account are forgotten, reset
 * links already mailed stop working (they were asked for the old password's account), and the
 * address gets a notice. The caller signs out the other sessions.
 */
export async function changePassword(
	db: Database,
	changer: PasswordChanger,
	input: { currentPassword: unknown; newPassword: unknown },
	settings: PasswordChangeSettings,
	now = new Date()
): Promise<PasswordChangeOutcome> {
	if (!isRecentAuthentication(changer.authTime, settings.recentAuthSeconds, now)) return { status: 'sign-in-again' };
	const [user] = await db
		.select({ email: users.email, name: users.name, passwordHash: users.passwordHash })
		.from(users)
		.where(eq(users.id, changer.userId))
		.limit(1);
	if (!user) return { status: 'sign-in-again' };
	const newPassword = typeof input.newPassword === 'string' ? input.newPassword : '';
	const problem = newPasswordProblem(newPassword, { email: user.email, name: user.name, serviceNames: settings.serviceNames });
	const kind = user.passwordHash ? 'changed' : 'set';
	if (kind === 'changed') {
		const currentPassword = typeof input.currentPassword === 'string' ? input.currentPassword : '';
		if (!currentPassword)
			return { status: 'invalid', errors: { currentPassword: 'Enter your current password.', ...(problem ? { newPassword: problem } : {}) } };
		// Counted and held back exactly like sign-in: this form must not be a way around those limits.
		const proof = await signInWithPassword(
			db,
			{ email: user.email, password: currentPassword, clientAddress: changer.clientAddress },
			settings.signInLimits,
			now
		);
		if ('failure' in proof) {
			if (proof.failure === 'rate-limited') return { status: 'rate-limited', message: rateLimitedMessage(proof.retryAfterSeconds) };
			return { status: 'invalid', errors: { currentPassword: 'This is not your current password.', ...(problem ? { newPassword: problem } : {}) } };
		}
	}
	if (problem) return { status: 'invalid', errors: { newPassword: problem } };
	const passwordHash = await hashPassword(newPassword);
	await db.update(users).set({ passwordHash, updatedAt: now }).where(eq(users.id, changer.userId));
	await Promise.all([revokeOneTimeTokens(db, changer.userId, 'reset-password'), clearFailedSignIns(db, user.email)]);
	if (settings.mailer) sendInBackground(settings.mailer, passwordChangedSignedInMail(settings.issuer, user.email, kind), `password ${kind}`);
	return { status: 'done', kind };
}
