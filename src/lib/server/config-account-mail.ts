// Limits on the mailed links of account recovery (password reset, change of address), read
// from the environment by config.ts. Apart from config-limits.ts so that the features that
// mail links keep their settings in one place.
import { parseWindowLimit, type WindowLimit } from './config-limits';

export interface AccountMailLimits {
	/** Requests for a password-reset link per client IP (RATE_LIMIT_PASSWORD_RESET_PER_IP). */
	resetRequestsPerAddress: WindowLimit;
	/**
	 * Link mails to one recipient address, and change-of-address requests per account
	 * (RATE_LIMIT_MAIL_PER_RECIPIENT): past it the answer stays the same but no mail goes out,
	 * so nobody can flood a mailbox through the provider.
	 */
	mailsPerRecipient: WindowLimit;
}

export const ACCOUNT_MAIL_DEFAULTS = {
	RATE_LIMIT_PASSWORD_RESET_PER_IP: '20/1h',
	RATE_LIMIT_MAIL_PER_RECIPIENT: '5/1h'
} as const;

export function loadAccountMailLimits(vars: Record<string, string | undefined>): AccountMailLimits {
	const read = (name: keyof typeof ACCOUNT_MAIL_DEFAULTS) => parseWindowLimit(name, vars[name] || ACCOUNT_MAIL_DEFAULTS[name]);
	return { resetRequestsPerAddress: read('RATE_LIMIT_PASSWORD_RESET_PER_IP'), mailsPerRecipient: read('RATE_LIMIT_MAIL_PER_RECIPIENT') };
}

/** The longest window of these limits (the clean-up keeps counters at least this long). */
export function longestAccountMailWindowSeconds(limits: AccountMailLimits): number {
	return Math.max(limits.resetRequestsPerAddress.windowSeconds, limits.mailsPerRecipient.windowSeconds);
}
