// What the account page's sensitive actions do to the account's sessions and applications:
// after a password change the other sessions end (Back-Channel Logout 1.0 §2.5), and deleting
// the account ends every session the same way before the user row goes.
import { and, eq, isNull, ne } from 'drizzle-orm';
import { grants, oneTimeTokens, users } from '../db/schema';
import { clearFailedSignIns } from '../auth/password-sign-in';
import { recipientKey } from '../auth/password-reset';
import { clearAttempts } from '../auth/rate-limit';
import type { OutboundFormPOST, OutboundPolicy } from '../outbound-request';
import { endOtherSessionsOfUser } from './account-sessions';
import type { ProtocolContext } from './context';
import { endAllSessionsOfUser, type BackchannelResult } from './logout';

type EndOptions = { outbound?: OutboundPolicy; post?: OutboundFormPOST };

/**
 * After a password change: every other session ends (whoever knew the old password may hold
 * one), each with back-channel logout; the grants that outlive sessions (offline_access refresh
 * tokens) and were not made from this session are revoked too (RFC 9700 §4.14: refresh tokens
 * are revoked when the user's credentials change). This device stays signed in.
 */
export async function signOutElsewhereAfterPasswordChange(
	ctx: ProtocolContext,
	user: { userId: string; currentSessionId: string },
	options: EndOptions = {}
): Promise<BackchannelResult[]> {
	const { results } = await endOtherSessionsOfUser(ctx, user, options);
	await ctx.db
		.update(grants)
		.set({ revokedAt: ctx.clock() })
		.where(and(eq(grants.userId, user.userId), isNull(grants.revokedAt), ne(grants.sessionId, user.currentSessionId)));
	return results;
}

/**
 * Deletes the account and everything of its owner: every session ends with back-channel logout
 * to each application it signed in to (so the applications' own sessions end too), then the
 * user row goes and with it, by foreign-key cascade, sessions, grants, codes, refresh tokens,
 * consents, upstream identities and one-time links. What names the person without a foreign
 * key goes explicitly: sign-up links to the address and the rate-limit counters keyed by the
 * address or the account. Returns null when there was no such account.
 */
export async function deleteAccount(
	ctx: ProtocolContext,
	userId: string,
	options: EndOptions = {}
): Promise<{ email: string; backchannel: BackchannelResult[] } | null> {
	const { db } = ctx;
	const [user] = await db.select({ email: users.email }).from(users).where(eq(users.id, userId)).limit(1);
	if (!user) return null;
	const backchannel = await endAllSessionsOfUser(ctx, userId, options);
	await Promise.all([
		clearFailedSignIns(db, user.email),
		clearAttempts(db, `change-email:account:${userId}`),
		clearAttempts(db, recipientKey('password-reset', user.email)),
		clearAttempts(db, recipientKey('change-email', user.email)),
		clearAttempts(db, `sign-up-mail:${user.email}`),
		db.delete(oneTimeTokens).where(eq(oneTimeTokens.email, user.email))
	]);
	await db.delete(users).where(eq(users.id, userId));
	return { email: user.email, backchannel };
}
