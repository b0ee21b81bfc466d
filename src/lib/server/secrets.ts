import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';

/** A random string with `bytes * 8` bits of entropy (default 160), in lower-case base32. */
export function generateSecret(bytes = 20): string {
	return encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(bytes)));
}

/**
 * Whether `token` has the shape of a session token (`id.secret`, both from generateSecret),
 * checked before any query so that malformed cookies never reach the database.
 */
export function isSessionTokenFormat(token: string): boolean {
	return /^[a-z2-7]{16,64}\.[a-z2-7]{16,64}$/.test(token);
}

/** SHA-256 as lower-case hex: how codes, tokens and client secrets are stored. */
export function hashSecret(secret: string): string {
	return encodeHexLowerCase(sha256(new TextEncoder().encode(secret)));
}

/** Compares a presented secret with a stored hash without leaking where they differ. */
export function secretMatchesHash(secret: string, storedHash: string): boolean {
	const presented = new TextEncoder().encode(hashSecret(secret));
	const stored = new TextEncoder().encode(storedHash);
	return presented.length === stored.length && constantTimeEqual(presented, stored);
}
