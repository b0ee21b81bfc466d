import type { Database } from '../db';
import { addressForLimits } from './client-address';
import type { SignInLimits } from '../config-limits';
import { clearAttempts, refundAttempt, reserveAttempt, type RateRule, type Reservation } from './rate-limit';
import { authenticateWithPassword, normalizeEmail, type User } from './user';

export type { SignInLimits };

export type SignInResult = { user: User } | { failure: 'invalid' } | { failure: 'rate-limited'; retryAfterSeconds: number };

export interface SignInAttempt {
	email: unknown;
	password: string;
	/** The client's IP address (SvelteKit's `getClientAddress()`: ADDRESS_HEADER behind a proxy). */
	clientAddress: string;
}

/**
 * Checks an email and password, reserving the attempt against every limit first, so the
 * password is only ever verified for an attempt that was counted. A success forgives the
 * account's failures (the owner proved the password) but not the address's other ones.
 */
export async function signInWithPassword(db: Database, attempt: SignInAttempt, limits: SignInLimits, now = new Date()): Promise<SignInResult> {
	const email = normalizeEmail(attempt.email);
	const address = addressForLimits(attempt.clientAddress);
	const addressKey = `sign-in:address:${address}`;
	const accountKeys = email ? { accountAndAddress: `sign-in:account+address:${email} ${address}`, account: `sign-in:account:${email}` } : null;
	// Narrowest first: an attempt the per-address counters refuse never delays the owner.
	const checks: [string, RateRule][] = accountKeys
		? [
				[accountKeys.accountAndAddress, limits.perAccountAndAddress],
				[addressKey, limits.perAddress],
				[accountKeys.account, limits.perAccount]
			]
		: [[addressKey, limits.perAddress]];
	const reserved: { reservation: Reservation; rule: RateRule }[] = [];
	for (const [key, rule] of checks) {
		const decision = await reserveAttempt(db, key, rule, now);
		if (!decision.admitted) {
			// Not verified, so not counted against the limits that had admitted it.
			await Promise.all(reserved.map(({ reservation, rule }) => refundAttempt(db, reservation, rule)));
			return { failure: 'rate-limited', retryAfterSeconds: decision.retryAfterSeconds };
		}
		reserved.push({ reservation: decision.reservation, rule });
	}
	const result = await authenticateWithPassword(db, attempt.email, attempt.password);
	if ('user' in result && accountKeys) {
		await Promise.all([
			clearAttempts(db, accountKeys.accountAndAddress),
			clearAttempts(db, accountKeys.account),
			...reserved.filter(({ reservation }) => reservation.key === addressKey).map(({ reservation, rule }) => refundAttempt(db, reservation, rule))
		]);
	}
	return result;
}

/**
 * What a person is told when held back: when to try again. When password reset exists (a
 * separate issue), this is where to offer it ("Forgot your password?"), since a held-back
 * owner is the one most likely to need it.
 */
export function rateLimitedMessage(retryAfterSeconds: number): string {
	const wait = retryAfterSeconds < 90 ? `${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'}` : `${Math.ceil(retryAfterSeconds / 60)} minutes`;
	return `Too many failed sign-in attempts. Try again in ${wait}.`;
}
