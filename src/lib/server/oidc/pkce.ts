import { sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { encodeBase64urlNoPadding } from '@oslojs/encoding';

// RFC 7636 §4.1: 43-128 characters from the unreserved set.
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
// §4.2: the S256 challenge is a base64url SHA-256, always 43 characters.
const S256_CHALLENGE = /^[A-Za-z0-9\-_]{43}$/;

/** Whether a code_challenge is well-formed for S256, the only method we accept (RFC 9700 §2.1.1). */
export function isValidS256Challenge(challenge: string): boolean {
	return S256_CHALLENGE.test(challenge);
}

/** RFC 7636 §4.6: BASE64URL(SHA256(code_verifier)) == code_challenge. */
export function verifierMatchesChallenge(verifier: string, challenge: string): boolean {
	if (!VERIFIER.test(verifier)) return false;
	const computed = new TextEncoder().encode(encodeBase64urlNoPadding(sha256(new TextEncoder().encode(verifier))));
	const expected = new TextEncoder().encode(challenge);
	return computed.length === expected.length && constantTimeEqual(computed, expected);
}
