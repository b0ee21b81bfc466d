import type { Database } from '../db';
import { addressForLimits } from './client-address';
import type { SignInLimits } from '../config-limits';
import { clearAttempts, clearAttemptsWithPrefix, refundAttempt, reserveAttempt, type RateRule, type Reservation } from './rate-limit';
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
	const accountKeys = email ? { accountAndAddress: `${accountAndAddressPrefix(email)}${address}`, account: accountKey(email) } : null;
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

const accountKey = (email: string) => `sign-in:account:${email}`;
const accountAndAddressPrefix = (email: string) => `sign-in:account+address:${email} `;

/**
 * Forgets the account's failed sign-ins, from every address (not the addresses' own counts):
 * the owner proved control of the account another way (a password reset through its mailbox),
 * so whoever was guessing must not keep them out of it.
 */
export async function clearFailedSignIns(db: Database, email: string): Promise<void> {
	await Promise.all([clearAttempts(db, accountKey(email)), clearAttemptsWithPrefix(db, accountAndAddressPrefix(email))]);
}

/**
 * What a person is told when held back: when to try again. Pages show it with a way out
 * beside it (FORGOT_PASSWORD_PATH: a reset clears these counters), since a held-back owner is
 * the one most likely to need it; the JSON answer names the path too.
 */
export function rateLimitedMessage(retryAfterSeconds: number): string {
	const wait = retryAfterSeconds < 90 ? `${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'}` : `${Math.ceil(retryAfterSeconds / 60)} minutes`;
	return `Too many failed sign-in attempts. Try again in ${wait}.`;
}

/** Where a person who forgot the password (or is held back) asks for a reset link. */
export const FORGOT_PASSWORD_PATH = '/auth/forgot-password';
