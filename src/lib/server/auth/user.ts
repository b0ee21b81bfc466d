import { eq } from 'drizzle-orm';
import type { Database } from '../db';
import { USER_COLUMNS } from '../db/queries/users';
import { users } from '../db/schema';
import { generateSecret } from '../secrets';
import { hashPassword, passwordWeakness, verifyAgainstDecoy, verifyPassword } from './password';

/** A person who signs in at the provider, as protocol and pages see them (no password hash). */
export interface User {
	id: string;
	email: string;
	emailVerified: boolean;
	name: string;
}

export type FieldErrors<K extends string> = Partial<Record<K, string>>;

export interface SignUpInput {
	name: string;
	email: string;
	password: string;
}

export const PASSWORD_MIN_LENGTH = 8;
// Argon2 hashes the whole input: an unbounded password is a cheap denial of service.
export const PASSWORD_MAX_LENGTH = 256;

/** What the provider calls itself (the top bar's title): a password to refuse, like the user's own name. */
export const SERVICE_NAME = 'SSO Provider';

/**
 * Reads and checks the sign-up fields; errors are keyed by field, worded for people.
 * `serviceNames` are words of this deployment (its host name) a password must not be made of.
 */
export function parseSignUp(input: Record<string, unknown>, serviceNames: string[] = []): { value: SignUpInput } | { errors: FieldErrors<keyof SignUpInput> } {
	const name = typeof input.name === 'string' ? input.name.trim() : '';
	const email = normalizeEmail(input.email);
	const password = typeof input.password === 'string' ? input.password : '';
	const errors: FieldErrors<keyof SignUpInput> = {};
	const nameError = nameProblem(name);
	if (nameError) errors.name = nameError;
	if (!email) errors.email = 'Enter an email address like name@example.com.';
	const passwordProblem = newPasswordProblem(password, { email: email ?? '', name, serviceNames });
	if (passwordProblem) errors.password = passwordProblem;
	if (Object.keys(errors).length > 0 || !email) return { errors };
	return { value: { name, email, password } };
}

/** Why a (trimmed) display name is refused, or null: the rule of sign-up and of the account page alike. */
export function nameProblem(name: string): string | null {
	if (!name) return 'Enter your name.';
	if (/[\u0000-\u001f\u007f]/.test(name)) return 'Use letters, digits, spaces and punctuation only.';
	if (name.length > 100) return 'Use at most 100 characters.';
	return null;
}

/**
 * Why a password someone chooses (at sign-up, or by reset) is refused, or null: its length,
 * then NIST SP 800-63B §5.1.1.2 (common passwords, the person's own name and address, this
 * service's names). `serviceNames` are this deployment's words beyond SERVICE_NAME (its host name).
 */
export function newPasswordProblem(password: string, context: { email: string; name: string; serviceNames?: string[] }): string | null {
	if (password.includes('\0')) return 'The password cannot contain a NUL character.';
	if (password.length < PASSWORD_MIN_LENGTH) return `Use at least ${PASSWORD_MIN_LENGTH} characters.`;
	if (password.length > PASSWORD_MAX_LENGTH) return `Use at most ${PASSWORD_MAX_LENGTH} characters.`;
	return passwordWeakness(password, { email: context.email, name: context.name, serviceNames: [SERVICE_NAME, ...(context.serviceNames ?? [])] });
}

/** Lower-cased, trimmed email, or null when it does not look like one. */
export function normalizeEmail(value: unknown): string | null {
	if (typeof value !== 'string') return null;
	const email = value.trim().toLowerCase();
	return email.length <= 254 && /^[^\s@\u0000-\u001f]+@[^\s@\u0000-\u001f]+\.[^\s@\u0000-\u001f]+$/.test(email) ? email : null;
}

/** Creates an account; null when the email is already registered. */
export async function createUser(db: Database, input: SignUpInput, now = new Date()): Promise<User | null> {
	const passwordHash = await hashPassword(input.password);
	const [row] = await db
		.insert(users)
		.values({ id: generateSecret(), email: input.email, name: input.name, emailVerified: false, passwordHash, createdAt: now, updatedAt: now })
		.onConflictDoNothing({ target: users.email })
		.returning(USER_COLUMNS);
	return row ?? null;
}

export type PasswordSignIn = { user: User } | { failure: 'invalid' };

/**
 * The user whose email and password match (same timing whether or not the email exists).
 * Limits on guessing are reserved before this is called: see password-sign-in.ts.
 */
export async function authenticateWithPassword(db: Database, emailInput: unknown, password: string): Promise<PasswordSignIn> {
	const email = normalizeEmail(emailInput);
	if (!email || password.includes('\0')) {
		await verifyAgainstDecoy(password.replaceAll('\0', ''));
		return { failure: 'invalid' };
	}
	const [row] = await db
		.select({ ...USER_COLUMNS, passwordHash: users.passwordHash })
		.from(users)
		.where(eq(users.email, email))
		.limit(1);
	const matches = row?.passwordHash ? await verifyPassword(row.passwordHash, password) : await verifyAgainstDecoy(password);
	if (!row || !matches) return { failure: 'invalid' };
	const { passwordHash: _, ...user } = row;
	return { user };
}
