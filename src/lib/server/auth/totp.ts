// Time-based one-time passwords (RFC 6238), the codes an authenticator app shows. This module
// is the algorithm and the key's protection at rest; totp-credentials.ts keeps a user's key.
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { encodeBase32UpperCaseNoPadding } from '@oslojs/encoding';
import { createTOTPKeyURI, generateHOTP } from '@oslojs/otp';
import { compactDecrypt, CompactEncrypt } from 'jose';

/** RFC 6238 §5.2 recommends 30 seconds; every authenticator app assumes it. */
export const TOTP_PERIOD_SECONDS = 30;
/** Six digits: what authenticator apps show unless told otherwise (RFC 4226 §5.3 allows 6-8). */
export const TOTP_DIGITS = 6;
/**
 * RFC 6238 §5.2: accept the codes of one step before and after the current one, for clocks a
 * little apart and for a code typed as it changes; no more, each step widens what a guess hits.
 */
export const TOTP_ACCEPTED_DRIFT_STEPS = 1;
/** RFC 4226 §4 R6 asks for at least 128 bits and recommends 160: the length of an HMAC-SHA-1 key. */
const KEY_BYTES = 20;

/** A new shared key, 160 random bits. */
export function generateTOTPKey(): Uint8Array {
	return crypto.getRandomValues(new Uint8Array(KEY_BYTES));
}

/** The `otpauth://totp/...` URI an authenticator app reads from the QR code (Google Authenticator's Key Uri Format). */
export function totpKeyURI(issuer: string, accountName: string, key: Uint8Array): string {
	return createTOTPKeyURI(issuer, accountName, key, TOTP_PERIOD_SECONDS, TOTP_DIGITS);
}

/** The key as typed into an app by hand: base32 (the URI's `secret`), in groups of four. */
export function manualEntryKey(key: Uint8Array): string {
	return encodeBase32UpperCaseNoPadding(key)
		.match(/.{1,4}/g)!
		.join(' ');
}

/** RFC 6238 §4.2: T = floor((now - T0) / X), with T0 = the Unix epoch. */
export function timeStep(now: Date): number {
	return Math.floor(now.getTime() / 1000 / TOTP_PERIOD_SECONDS);
}

/** Whether `code` looks like a TOTP code at all (six digits, spaces allowed as apps show them). */
export function isTOTPCodeFormat(code: string): boolean {
	return new RegExp(`^\\d{${TOTP_DIGITS}}$`).test(code.replace(/\s/g, ''));
}

/**
 * The time step whose code `code` is, within the accepted drift of `now`, or null. Every step
 * in the window is compared (in constant time), so the answer's timing says nothing about which.
 * Whether the step was already used is the caller's check (RFC 6238 §5.2: a code works once).
 */
export function matchingTimeStep(key: Uint8Array, code: string, now: Date): number | null {
	const presented = new TextEncoder().encode(code.replace(/\s/g, ''));
	if (presented.length !== TOTP_DIGITS) return null;
	const current = timeStep(now);
	let matched: number | null = null;
	for (let step = current - TOTP_ACCEPTED_DRIFT_STEPS; step <= current + TOTP_ACCEPTED_DRIFT_STEPS; step++) {
		const expected = new TextEncoder().encode(generateHOTP(key, BigInt(step), TOTP_DIGITS));
		// The latest matching step wins: it is the one a replay must not get past.
		if (constantTimeEqual(expected, presented)) matched = step;
	}
	return matched;
}

/** The code for a time step: for tests and for nothing else (the server never shows a code). */
export function totpCodeAt(key: Uint8Array, now: Date): string {
	return generateHOTP(key, BigInt(timeStep(now)), TOTP_DIGITS);
}

// The key must be readable to check codes, so it cannot be hashed: it is encrypted like the
// private signing keys (oidc/keys.ts), as a JWE (RFC 7516) with `dir` + A256GCM, under a key of
// its own derived from the server secret. A copy of the database alone yields no usable key.

/** HKDF-SHA-256 (RFC 5869) of the server secret, with an `info` of its own: used only for TOTP keys. */
export async function deriveTOTPEncryptionKey(secret: string): Promise<Uint8Array> {
	const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), 'HKDF', false, ['deriveBits']);
	const bits = await crypto.subtle.deriveBits(
		{ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(), info: new TextEncoder().encode('totp key encryption') },
		material,
		256
	);
	return new Uint8Array(bits);
}

/** The key as stored: a compact JWE. */
export async function encryptTOTPKey(key: Uint8Array, encryptionKey: Uint8Array): Promise<string> {
	return new CompactEncrypt(key).setProtectedHeader({ alg: 'dir', enc: 'A256GCM' }).encrypt(encryptionKey);
}

export async function decryptTOTPKey(jwe: string, encryptionKey: Uint8Array): Promise<Uint8Array> {
	const { plaintext } = await compactDecrypt(jwe, encryptionKey);
	return plaintext;
}
