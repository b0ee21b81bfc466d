// The second step of a sign-in: after the password (or an upstream sign-in), a user with a
// confirmed authenticator proves it with a code before any session exists. The half-finished
// sign-in is a one_time_token in the database (any app node can finish it), named by an
// httpOnly cookie of this browser only, and short-lived.
import type { Database } from '../db';
import type { WindowLimit } from '../config-limits';
import { consumeOneTimeToken, findOneTimeToken, issueOneTimeToken } from './one-time-tokens';
import { clearAttempts, reserveAttempt } from './rate-limit';
import { isRecoveryCodeFormat, useRecoveryCode } from './recovery-codes';
import { recordSecurityEvent, type RequestOrigin } from './security-log';
import { safeReturnTo } from './return-to';
import { isTOTPCodeFormat } from './totp';
import { verifyTOTPCode } from './totp-credentials';

/** Where the code is asked for, at sign-in and for a step-up. */
export const SECOND_FACTOR_PATH = '/auth/two-factor';
/** How long a correct password waits for its code, unless configured (TWO_FACTOR_PENDING_SECONDS). */
export const DEFAULT_PENDING_SECOND_FACTOR_SECONDS = 10 * 60;

/** A sign-in whose first factor is proven and whose second is awaited. */
export interface PendingSecondFactor {
	userId: string;
	email: string;
	/** The first factor's methods (RFC 8176): `pwd` or `fed`. */
	amr: string;
	/** For the security log: `password` or the upstream's id. */
	method: string;
	returnTo: string | null;
}

/** Records the first factor; the returned token goes in this browser's cookie and nowhere else. */
export async function beginSecondFactor(db: Database, pending: PendingSecondFactor, ttlSeconds: number, now = new Date()): Promise<string> {
	const { userId, email, ...payload } = pending;
	return issueOneTimeToken(db, { purpose: 'second-factor', userId, email, payload, ttlSeconds }, now);
}

/** The pending sign-in a cookie names, if it is genuine and unexpired. */
export async function findPendingSecondFactor(db: Database, token: unknown, now = new Date()): Promise<PendingSecondFactor | null> {
	const found = await findOneTimeToken(db, token, 'second-factor', now);
	return found && pendingFrom(found);
}

/**
 * Ends the pending sign-in, once: of two parallel finishes with two good codes (a TOTP code
 * and a recovery code), only one gets a session.
 */
export async function finishSecondFactor(db: Database, token: unknown, now = new Date()): Promise<PendingSecondFactor | null> {
	const found = await consumeOneTimeToken(db, token, 'second-factor', now);
	return found && pendingFrom(found);
}

function pendingFrom(token: { userId: string | null; email: string; payload: unknown }): PendingSecondFactor | null {
	const payload = token.payload as Record<string, unknown> | null;
	if (!token.userId || typeof payload?.amr !== 'string' || typeof payload.method !== 'string') return null;
	return { userId: token.userId, email: token.email, amr: payload.amr, method: payload.method, returnTo: safeReturnTo(payload.returnTo) };
}

export type SecondFactorCheck = { verified: 'totp' | 'recovery-code' } | { failure: 'invalid' } | { failure: 'rate-limited'; retryAfterSeconds: number };

const attemptsKey = (userId: string) => `second-factor:account:${userId}`;

/**
 * Checks a code from the authenticator app, or a recovery code, for `userId`. The attempt is
 * reserved against the account's limit BEFORE the code is looked at (rate-limit.ts), so a
 * parallel burst of guesses gets at most `limit` checked; a success forgives the failures.
 * A six-digit code is one of a million, so only this limit keeps it from being guessed.
 */
export async function checkSecondFactor(
	db: Database,
	attempt: { userId: string; code: unknown; origin: RequestOrigin },
	context: { limit: WindowLimit; encryptionKey: Uint8Array },
	now = new Date()
): Promise<SecondFactorCheck> {
	const { userId, origin } = attempt;
	const decision = await reserveAttempt(db, attemptsKey(userId), context.limit, now);
	if (!decision.admitted) return { failure: 'rate-limited', retryAfterSeconds: decision.retryAfterSeconds };
	const code = typeof attempt.code === 'string' ? attempt.code.trim() : '';
	let verified: 'totp' | 'recovery-code' | null = null;
	if (isTOTPCodeFormat(code)) {
		if (await verifyTOTPCode(db, userId, code, context.encryptionKey, now)) verified = 'totp';
	} else if (isRecoveryCodeFormat(code) && (await useRecoveryCode(db, userId, code, now))) {
		verified = 'recovery-code';
	}
	if (!verified) {
		await recordSecurityEvent(db, userId, 'sign-in-failed', { reason: 'code' }, origin, now);
		return { failure: 'invalid' };
	}
	await clearAttempts(db, attemptsKey(userId));
	if (verified === 'recovery-code') await recordSecurityEvent(db, userId, 'recovery-code-used', {}, origin, now);
	return { verified };
}

/** What a person is told after too many wrong codes. */
export function tooManyCodesMessage(retryAfterSeconds: number): string {
	const minutes = Math.ceil(retryAfterSeconds / 60);
	return `Too many wrong codes. Try again in ${retryAfterSeconds < 90 ? `${retryAfterSeconds} seconds` : `${minutes} minutes`}.`;
}
