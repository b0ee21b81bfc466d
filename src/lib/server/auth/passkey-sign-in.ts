import type { Database } from '../db';
import { addressForLimits, reserveForAddress } from './client-address';
import type { SignInLimits } from './password-sign-in';
import {
	authenticationOptions,
	decodeBase64url,
	verifyPasskeySignIn,
	type AuthenticationOptionsJSON,
	type AuthenticationResponse,
	type PasskeyFailure,
	type PasskeySignIn,
	type RelyingParty
} from './passkeys';
import { refundAttempt, reserveAttempt, type WindowLimit } from './rate-limit';
import { recordSecurityEvent, type RequestOrigin } from './security-log';

export type PasskeySignInResult = { signedIn: PasskeySignIn } | { failure: PasskeyFailure } | { failure: 'rate-limited'; retryAfterSeconds: number };

export type PasskeyOptionsResult = { options: AuthenticationOptionsJSON } | { failure: 'rate-limited'; retryAfterSeconds: number };

/**
 * A sign-in challenge, counted per client address before it is stored: each one is a row until
 * it is used or expires, so an unlimited endpoint would let anyone fill the table.
 */
export async function passkeySignInOptions(
	db: Database,
	rp: RelyingParty,
	clientAddress: string,
	rule: WindowLimit,
	now = new Date()
): Promise<PasskeyOptionsResult> {
	const decision = await reserveForAddress(db, 'passkey-options', clientAddress, rule, now);
	if (!decision.admitted) return { failure: 'rate-limited', retryAfterSeconds: decision.retryAfterSeconds };
	return { options: await authenticationOptions(db, rp, now) };
}

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
 * serve as an oracle at any rate. A success gives its attempt back. A refusal of a known
 * passkey goes into its owner's security log, as a wrong password does ("Failed sign-in: the
 * passkey was not accepted"); an unknown credential belongs to no account, so no log gets it.
 */
export async function signInWithPasskey(
	db: Database,
	rp: RelyingParty,
	attempt: { response: AuthenticationResponse; clientAddress: string; origin?: RequestOrigin },
	limits: SignInLimits,
	now = new Date()
): Promise<PasskeySignInResult> {
	const decision = await reserveAttempt(db, `passkey-sign-in:address:${addressForLimits(attempt.clientAddress)}`, limits.perAddress, now);
	if (!decision.admitted) return { failure: 'rate-limited', retryAfterSeconds: decision.retryAfterSeconds };
	const verified = await verifyPasskeySignIn(db, rp, attempt.response, now);
	if (!verified.ok) {
		if (verified.credentialOwner) await recordSecurityEvent(db, verified.credentialOwner, 'sign-in-failed', { reason: 'passkey' }, attempt.origin, now);
		return { failure: verified.failure };
	}
	await refundAttempt(db, decision.reservation, limits.perAddress);
	return { signedIn: verified.value };
}
