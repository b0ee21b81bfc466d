import { hash, verify } from '@node-rs/argon2';
import { commonPasswords } from '../word-lists';

// OWASP's minimum Argon2id profile (19 MiB, 2 passes, 1 lane): a sign-in costs ~20 ms.
const ARGON2ID = { memoryCost: 19456, timeCost: 2, parallelism: 1, outputLen: 32 } as const;

/** Argon2id PHC string for a new password. */
export function hashPassword(password: string): Promise<string> {
	return hash(password, ARGON2ID);
}

/** Whether `password` matches the stored PHC string (parameters are read from the string). */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
	try {
		return await verify(passwordHash, password);
	} catch {
		return false;
	}
}

// Verifying against this when the email is unknown keeps the response time the same, so
// timing does not tell an attacker which emails have accounts.
let decoyHash: Promise<string> | undefined;
export async function verifyAgainstDecoy(password: string): Promise<false> {
	decoyHash ??= hashPassword('decoy password that never matches');
	await verifyPassword(await decoyHash, password);
	return false;
}

/** Who is choosing the password, and where: NIST SP 800-63B §5.1.1.2 "context-specific words". */
export interface PasswordContext {
	email: string;
	name: string;
	/** The service's name and host name ("SSO Provider", "sso.example.com"). */
	serviceNames: string[];
}

export const COMMON_PASSWORD_MESSAGE = 'This password is one of the most common ones, which attackers try first. Choose another.';
export const CONTEXT_PASSWORD_MESSAGE = 'Do not use your name, your email address or the name of this service as your password.';

/**
 * Why a new password is refused, or null. NIST SP 800-63B §5.1.1.2: compare it with a list
 * of commonly used and breached passwords (case-insensitive: the list is lower case, and
 * "Password" is guessed as early as "password"), and with words from the context; no
 * composition rules. Length is checked by the caller.
 */
export function passwordWeakness(password: string, context: PasswordContext): string | null {
	const lower = password.toLowerCase();
	if (commonPasswords().has(lower)) return COMMON_PASSWORD_MESSAGE;
	// "Ada Lovelace 1815!" or "ada.lovelace@example.com": once the context words are taken out,
	// nothing but digits and punctuation is left.
	let rest = lower;
	for (const word of contextWords(context)) rest = rest.replaceAll(word, '');
	if (rest !== lower && !/\p{L}/u.test(rest)) return CONTEXT_PASSWORD_MESSAGE;
	return null;
}

/** The email, its local part, the name and the service names, whole and in pieces; longest first. */
function contextWords({ email, name, serviceNames }: PasswordContext): string[] {
	const local = email.split('@')[0] ?? '';
	const whole = [email, local, name, ...serviceNames].map((w) => w.toLowerCase().trim());
	const pieces = whole.flatMap((w) => [w.replace(/\s+/g, ''), ...w.split(/[\s._+@-]+/)]);
	return [...new Set([...whole, ...pieces])].filter((w) => w.length >= 3).sort((a, b) => b.length - a.length);
}
