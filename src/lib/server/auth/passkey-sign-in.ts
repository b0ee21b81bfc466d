import type { Database } from '../db';
import { addressForLimits } from './client-address';
import type { SignInLimits } from './password-sign-in';
import { decodeBase64url, verifyPasskeySignIn, type AuthenticationResponse, type PasskeyFailure, type PasskeySignIn, type RelyingParty } from './passkeys';
import { refundAttempt, reserveAttempt } from './rate-limit';

export type PasskeySignInResult = { signedIn: PasskeySignIn } | { failure: PasskeyFailure } | { failure: 'rate-limited'; retryAfterSeconds: number };

/**
 * The assertion a browser posts (passkey-client.ts AssertionJSON: base64url fields), or null
 * when any field is missing or not base64url.
 */
export function parseAssertion(body: Record<string, unknown>): AuthenticationResponse | null {
	const credentialId = decodeBase64url(body.id, 2048);
	const clientDataJSON = decodeBase64url(body.clientDataJSON);
	const authenticatorData = decodeBase64url(body.authenticatorData);
	const signature = decodeBase64url(body.signature, 4096);
	const userHandle = body.userHandle === null || body.userHandle === undefined ? null : decodeBase64url(body.userHandle, 256);
	if (!credentialId || !clientDataJSON || !authenticatorData || !signature || (body.userHandle != null && !userHandle)) return null;
	return { credentialId, clientDataJSON, authenticatorData, signature, userHandle };
}

/**
 * A passkey sign-in, counted against the client address like password attempts (the same
 * per-address rule, its own counter): a signature is cheap to check but the endpoint must not
 * serve as an oracle at any rate. A success gives its attempt back.
 */
export async function signInWithPasskey(
	db: Database,
	rp: RelyingParty,
	attempt: { response: AuthenticationResponse; clientAddress: string },
	limits: SignInLimits,
	now = new Date()
): Promise<PasskeySignInResult> {
	const decision = await reserveAttempt(db, `passkey-sign-in:address:${addressForLimits(attempt.clientAddress)}`, limits.perAddress, now);
	if (!decision.admitted) return { failure: 'rate-limited', retryAfterSeconds: decision.retryAfterSeconds };
	const verified = await verifyPasskeySignIn(db, rp, attempt.response, now);
	if (!verified.ok) return { failure: verified.failure };
	await refundAttempt(db, decision.reservation, limits.perAddress);
	return { signedIn: verified.value };
}
