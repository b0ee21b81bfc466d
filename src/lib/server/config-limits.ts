// The rate-limit and clean-up settings, read from the environment by config.ts (the only
// reader of $env). Defaults are meant never to trouble an honest person or developer; an
// operator can tighten or loosen each one. The rules' shapes live here, not in auth/, so
// that reading the configuration never pulls auth/ into the demo sites.

/**
 * At most `limit` attempts per fixed window; the attempt that reaches the limit holds the key
 * back until the window ends.
 */
export interface WindowLimit {
	kind: 'window';
	limit: number;
	windowSeconds: number;
}

/**
 * Attempts are never refused outright: after `freeAttempts` in a window, each further attempt
 * holds the key back for a delay that doubles, from `firstDelaySeconds` up to
 * `maxDelaySeconds`. Slows guessing down without locking the real owner out for long.
 */
export interface GrowingDelay {
	kind: 'delay';
	freeAttempts: number;
	windowSeconds: number;
	firstDelaySeconds: number;
	maxDelaySeconds: number;
}

export type RateRule = WindowLimit | GrowingDelay;

/**
 * How password guessing is held back (NIST SP 800-63B §5.2.2: limit failed attempts, prefer
 * delays to lock-outs). Two counters stop one attacker quickly; the third, per account, only
 * slows down, so that nobody can lock the real owner out from somewhere else.
 */
export interface SignInLimits {
	/** Failed attempts for one account from one client address: the usual single-source guesser. */
	perAccountAndAddress: WindowLimit;
	/** Failed attempts from one client address, whatever the account (credential stuffing). */
	perAddress: WindowLimit;
	/** Failed attempts for one account from anywhere (a distributed guesser): growing delays only. */
	perAccount: GrowingDelay;
}

export interface LimitsConfig {
	signIn: SignInLimits;
	/**
	 * Wrong two-step verification codes per account (RATE_LIMIT_SECOND_FACTOR_PER_ACCOUNT): a
	 * six-digit code is far easier to guess than a password, so this holds back hard and early.
	 * Only someone who knows the password gets this far.
	 */
	secondFactor: WindowLimit;
	/** Sign-ups (page and JSON) per client IP. */
	signUp: WindowLimit;
	/** RFC 7591 registrations per client IP. */
	registration: WindowLimit;
	/**
	 * Passkey sign-in challenges per client IP (RATE_LIMIT_PASSKEY_OPTIONS_PER_IP). Each one is a
	 * stored row; the sign-in page asks for one on every view (the autofill), so this is generous.
	 */
	passkeyOptions: WindowLimit;
}

export interface CleanupConfig {
	/** Seconds between clean-up runs on each instance; 0 when off (`CLEANUP_INTERVAL=off`). */
	intervalSeconds: number;
	/** A self-registered client nobody has used (no grant, no consent) is removed after this. */
	abandonedClientAgeSeconds: number;
	/** Security log lines (addresses and browsers: personal data) are removed this many days after the event. */
	securityLogRetentionDays: number;
}

export const LIMIT_DEFAULTS = {
	RATE_LIMIT_SIGN_IN_PER_ACCOUNT_AND_IP: '5/15m',
	RATE_LIMIT_SIGN_IN_PER_IP: '30/15m',
	RATE_LIMIT_SIGN_IN_PER_ACCOUNT: '10/1h',
	RATE_LIMIT_SIGN_IN_MAX_DELAY: '60s',
	RATE_LIMIT_SECOND_FACTOR_PER_ACCOUNT: '5/15m',
	RATE_LIMIT_SIGN_UP_PER_IP: '50/1h',
	RATE_LIMIT_REGISTRATION_PER_IP: '100/1h',
	RATE_LIMIT_PASSKEY_OPTIONS_PER_IP: '200/15m',
	CLEANUP_INTERVAL: '10m',
	CLEANUP_ABANDONED_CLIENTS_AFTER: '30d',
	SECURITY_LOG_RETENTION_DAYS: '90'
} as const;

type Vars = Record<string, string | undefined>;

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `90s`, `15m`, `1h`, `30d` → seconds; throws naming the variable otherwise. */
export function parseDuration(name: string, value: string): number {
	const match = value.trim().match(/^(\d+)\s*([smhd])$/);
	const seconds = match ? Number(match[1]) * UNIT_SECONDS[match[2]] : NaN;
	if (!Number.isSafeInteger(seconds) || seconds <= 0) throw new Error(`${name} must be a duration like 90s, 15m, 1h or 30d (got "${value}")`);
	return seconds;
}

/** `5/15m` (5 per 15 minutes) → a window limit; throws naming the variable otherwise. */
export function parseWindowLimit(name: string, value: string): WindowLimit {
	const [count, window] = value.split('/');
	const limit = Number(count?.trim());
	if (!window || !/^\d+$/.test(count.trim()) || !Number.isSafeInteger(limit) || limit < 1) {
		throw new Error(`${name} must look like 5/15m (attempts per duration; got "${value}")`);
	}
	return { kind: 'window', limit, windowSeconds: parseDuration(name, window) };
}

function read(vars: Vars, name: keyof typeof LIMIT_DEFAULTS): string {
	return vars[name] || LIMIT_DEFAULTS[name];
}

export function loadLimits(vars: Vars): LimitsConfig {
	const account = parseWindowLimit('RATE_LIMIT_SIGN_IN_PER_ACCOUNT', read(vars, 'RATE_LIMIT_SIGN_IN_PER_ACCOUNT'));
	return {
		signIn: {
			perAccountAndAddress: parseWindowLimit('RATE_LIMIT_SIGN_IN_PER_ACCOUNT_AND_IP', read(vars, 'RATE_LIMIT_SIGN_IN_PER_ACCOUNT_AND_IP')),
			perAddress: parseWindowLimit('RATE_LIMIT_SIGN_IN_PER_IP', read(vars, 'RATE_LIMIT_SIGN_IN_PER_IP')),
			perAccount: {
				kind: 'delay',
				freeAttempts: account.limit,
				windowSeconds: account.windowSeconds,
				firstDelaySeconds: 1,
				maxDelaySeconds: parseDuration('RATE_LIMIT_SIGN_IN_MAX_DELAY', read(vars, 'RATE_LIMIT_SIGN_IN_MAX_DELAY'))
			}
		},
		secondFactor: parseWindowLimit('RATE_LIMIT_SECOND_FACTOR_PER_ACCOUNT', read(vars, 'RATE_LIMIT_SECOND_FACTOR_PER_ACCOUNT')),
		signUp: parseWindowLimit('RATE_LIMIT_SIGN_UP_PER_IP', read(vars, 'RATE_LIMIT_SIGN_UP_PER_IP')),
		registration: parseWindowLimit('RATE_LIMIT_REGISTRATION_PER_IP', read(vars, 'RATE_LIMIT_REGISTRATION_PER_IP')),
		passkeyOptions: parseWindowLimit('RATE_LIMIT_PASSKEY_OPTIONS_PER_IP', read(vars, 'RATE_LIMIT_PASSKEY_OPTIONS_PER_IP'))
	};
}

export function loadCleanup(vars: Vars): CleanupConfig {
	const interval = read(vars, 'CLEANUP_INTERVAL');
	return {
		intervalSeconds: interval.trim() === 'off' ? 0 : parseDuration('CLEANUP_INTERVAL', interval),
		abandonedClientAgeSeconds: parseDuration('CLEANUP_ABANDONED_CLIENTS_AFTER', read(vars, 'CLEANUP_ABANDONED_CLIENTS_AFTER')),
		securityLogRetentionDays: parseDays('SECURITY_LOG_RETENTION_DAYS', read(vars, 'SECURITY_LOG_RETENTION_DAYS'))
	};
}

/** The longest a security log may be kept: ten years is already far beyond any need to look back. */
export const MAX_RETENTION_DAYS = 3650;

/** A whole number of days from 1 to MAX_RETENTION_DAYS; throws naming the variable otherwise. */
export function parseDays(name: string, value: string): number {
	const days = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
	if (!Number.isSafeInteger(days) || days < 1 || days > MAX_RETENTION_DAYS)
		throw new Error(`${name} must be a whole number of days from 1 to ${MAX_RETENTION_DAYS} (got "${value}")`);
	return days;
}

/** The longest window any limit counts over: a rate_limit row older than this (and not held back) is over. */
export function longestWindowSeconds(limits: LimitsConfig): number {
	const { signIn, secondFactor, signUp, registration, passkeyOptions } = limits;
	return Math.max(
		signIn.perAccountAndAddress.windowSeconds,
		signIn.perAddress.windowSeconds,
		signIn.perAccount.windowSeconds,
		secondFactor.windowSeconds,
		signUp.windowSeconds,
		registration.windowSeconds,
		passkeyOptions.windowSeconds
	);
}
