// Passkeys: the two WebAuthn ceremonies as a relying party runs them (W3C Web Authentication
// Level 3, https://www.w3.org/TR/webauthn-3/): registration (§7.1) from the account console and
// authentication (§7.2) at sign-in. Each check below cites the verification step it implements; steps about
// attestation trust, token binding and extensions do not apply (attestation "none", no
// extensions requested). The browser side is in src/lib/passkey-client.ts.
import { and, eq, or, sql } from 'drizzle-orm';
import { sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding } from '@oslojs/encoding';
import {
	AttestationStatementFormat,
	ClientDataType,
	createAssertionSignatureMessage,
	parseAttestationObject,
	parseAuthenticatorData,
	parseClientDataJSON,
	type AuthenticatorData,
	type ClientData
} from '@oslojs/webauthn';
import type { Database } from '../db';
import { passkeys } from '../db/schema';
import type { AuthenticationMethod } from './authentication-strength';
import { CHALLENGE_LIFETIME_SECONDS, consumeChallenge, issueChallenge } from './webauthn-challenges';
import { readCredentialPublicKey, SUPPORTED_ALGORITHMS, verifyCredentialSignature } from './webauthn-keys';

/** Who the passkeys are for: the provider, named by the issuer's host (WebAuthn §5.1.2 RP ID). */
export interface RelyingParty {
	/** The RP ID: the issuer's host name, so a passkey works on this provider and nowhere else. */
	id: string;
	/** What the browser's dialog calls the provider. */
	name: string;
	/** The one origin the browser may report in client data (the issuer's origin, scheme and port included). */
	origin: string;
}

/** The relying party for an issuer URL: behind a proxy, the public URL (PROVIDER_URL), never the listen address. */
export function relyingPartyFor(issuer: string, name = 'SSO Provider'): RelyingParty {
	const url = new URL(issuer);
	return { id: url.hostname, name, origin: url.origin };
}

/** Why a ceremony was refused; routes turn each into plain words. */
export type PasskeyFailure =
	| 'malformed' // not a WebAuthn response at all
	| 'wrong-ceremony' // client data of the other ceremony (§7.1/§7.2 C.type)
	| 'challenge' // unknown, used, expired, or issued for another ceremony or user
	| 'origin' // made on another origin (phishing, or the provider reached by the wrong URL)
	| 'rp-id' // scoped to another relying party
	| 'user-not-present'
	| 'user-not-verified'
	| 'backup-flags' // BS without BE, or BE changed since registration
	| 'algorithm' // a key type the options did not offer
	| 'attestation' // an attestation other than "none"
	| 'already-registered'
	| 'unknown-credential'
	| 'user-handle' // the credential belongs to someone else's account
	| 'signature'
	| 'counter'; // the signature counter did not increase: possibly a cloned authenticator

/**
 * A ceremony's outcome. A refused sign-in names `credentialOwner` once the credential is known
 * (every check after the lookup): that account's security log gets the failed attempt.
 */
export type Verified<T> = { ok: true; value: T } | { ok: false; failure: PasskeyFailure; credentialOwner?: string };

const refuse = (failure: PasskeyFailure): { ok: false; failure: PasskeyFailure } => ({ ok: false, failure });

// Authenticator data flags (§6.1): the parser exposes UP and UV only.
const FLAG_BACKUP_ELIGIBLE = 0x08;
const FLAG_BACKED_UP = 0x10;
/** §7.1: "Verify that the credentialId is ≤ 1023 bytes." */
const MAX_CREDENTIAL_ID_BYTES = 1023;

/** The user handle (§5.4.3 user.id): the account id, random and opaque, never the email (§14.6.1). */
export function userHandleOf(userId: string): Uint8Array {
	return new TextEncoder().encode(userId);
}

// ---------------------------------------------------------------------------- registration

/** PublicKeyCredentialCreationOptions (§5.4) with binary fields as base64url: what the browser script needs. */
export interface RegistrationOptionsJSON {
	challenge: string;
	rp: { id: string; name: string };
	user: { id: string; name: string; displayName: string };
	pubKeyCredParams: { type: 'public-key'; alg: number }[];
	timeout: number;
	excludeCredentials: { type: 'public-key'; id: string }[];
	authenticatorSelection: { residentKey: 'required'; requireResidentKey: true; userVerification: 'required' };
	attestation: 'none';
}

/**
 * Options for adding a passkey to the signed-in account: a discoverable credential (so sign-in
 * needs no email first) with user verification (so the passkey alone is two factors: the device
 * and the PIN or biometric), and none of the user's existing authenticators again.
 */
export async function registrationOptions(
	db: Database,
	rp: RelyingParty,
	user: { id: string; email: string; name: string },
	now = new Date()
): Promise<RegistrationOptionsJSON> {
	const challenge = await issueChallenge(db, 'register', user.id, now);
	const existing = await db.select({ id: passkeys.id }).from(passkeys).where(eq(passkeys.userId, user.id));
	return {
		challenge: encodeBase64urlNoPadding(challenge),
		rp: { id: rp.id, name: rp.name },
		// user.name is what the dialog and the passkey manager list: the address the person signs in with.
		user: { id: encodeBase64urlNoPadding(userHandleOf(user.id)), name: user.email, displayName: user.name },
		pubKeyCredParams: SUPPORTED_ALGORITHMS.map((alg) => ({ type: 'public-key', alg })),
		timeout: CHALLENGE_LIFETIME_SECONDS * 1000,
		// §5.4 excludeCredentials: the authenticator refuses to make a second passkey for the same account.
		excludeCredentials: existing.map(({ id }) => ({ type: 'public-key', id })),
		authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
		attestation: 'none'
	};
}

/** AuthenticatorAttestationResponse (§5.2.1), decoded from base64url. */
export interface RegistrationResponse {
	clientDataJSON: Uint8Array;
	attestationObject: Uint8Array;
}

/** The credential to store, after every §7.1 check passed. */
export interface NewPasskey {
	id: string;
	publicKey: Uint8Array;
	algorithm: number;
	signCount: number;
	backupEligible: boolean;
}

/**
 * Verifies a registration for `userId` (WebAuthn §7.1, in the spec's order) and stores the
 * passkey under `name`. The challenge is used up whatever the outcome.
 */
export async function registerPasskey(
	db: Database,
	rp: RelyingParty,
	registration: { userId: string; name: string; response: RegistrationResponse },
	now = new Date()
): Promise<Verified<NewPasskey>> {
	const verified = await verifyRegistration(db, rp, registration.userId, registration.response, now);
	if (!verified.ok) return verified;
	const passkey = verified.value;
	// §7.1: "Verify that the credentialId is not yet registered for any user": the primary key
	// decides, so two parallel submissions of one credential cannot both store it.
	const stored = await db
		.insert(passkeys)
		.values({ ...passkey, userId: registration.userId, name: registration.name, createdAt: now })
		.onConflictDoNothing({ target: passkeys.id })
		.returning({ id: passkeys.id });
	return stored.length ? verified : refuse('already-registered');
}

async function verifyRegistration(db: Database, rp: RelyingParty, userId: string, response: RegistrationResponse, now: Date): Promise<Verified<NewPasskey>> {
	// §7.1: C, the client data, parsed from clientDataJSON.
	const clientData = parseClientData(response.clientDataJSON);
	if (!clientData) return refuse('malformed');
	// §7.1: C.type is "webauthn.create".
	if (clientData.type !== ClientDataType.Create) return refuse('wrong-ceremony');
	// §7.1: C.challenge is the challenge sent for this ceremony, to this user.
	if (!(await consumeChallenge(db, clientData.challenge, 'register', userId, now))) return refuse('challenge');
	// §7.1: C.origin is the RP's origin; not created inside another site's frame.
	const origin = checkOrigin(clientData, rp);
	if (origin) return refuse(origin);
	// §7.1: the attestation object, CBOR-decoded: fmt, authData, attStmt.
	let attestation: ReturnType<typeof parseAttestationObject>;
	try {
		attestation = parseAttestationObject(response.attestationObject);
	} catch {
		return refuse('malformed');
	}
	const { authenticatorData } = attestation;
	// §7.1: the options asked for attestation "none" (§8.7: an empty attStmt);
	// browsers replace anything else with "none" (§5.4.7), so another format was not made by a
	// conforming client for these options.
	if (attestation.attestationStatement.format !== AttestationStatementFormat.None || Object.keys(attestation.attestationStatement.decoded).length > 0) {
		return refuse('attestation');
	}
	const authData = rawAuthenticatorData(response.attestationObject);
	if (!authData || !sameCredential(authData, authenticatorData)) return refuse('malformed');
	// §7.1: rpIdHash, UP, UV, BE/BS.
	const flags = checkAuthenticatorData(authenticatorData, authData, rp);
	if (flags) return refuse(flags);
	const credential = authenticatorData.credential;
	if (!credential) return refuse('malformed');
	// §7.1: the key's alg is one of pubKeyCredParams (ES256 or RS256).
	const idLength = credential.id.byteLength;
	const publicKey = readCredentialPublicKey(authData.subarray(55 + idLength));
	if (!publicKey) return refuse('algorithm');
	// §7.1: "Verify that the credentialId is ≤ 1023 bytes."
	if (idLength === 0 || idLength > MAX_CREDENTIAL_ID_BYTES) return refuse('malformed');
	return {
		ok: true,
		value: {
			id: encodeBase64urlNoPadding(credential.id),
			publicKey: publicKey.encoded,
			algorithm: publicKey.algorithm,
			signCount: authenticatorData.signatureCounter,
			backupEligible: (authData[32] & FLAG_BACKUP_ELIGIBLE) !== 0
		}
	};
}

// -------------------------------------------------------------------------- authentication

/** PublicKeyCredentialRequestOptions (§5.5) with the challenge as base64url. */
export interface AuthenticationOptionsJSON {
	challenge: string;
	rpId: string;
	timeout: number;
	/** Empty: the person picks any of their passkeys for this site (a discoverable credential, §6.2.2). */
	allowCredentials: [];
	userVerification: 'required';
}

/** Options for signing in with a passkey, before anyone has said who they are. */
export async function authenticationOptions(db: Database, rp: RelyingParty, now = new Date()): Promise<AuthenticationOptionsJSON> {
	const challenge = await issueChallenge(db, 'authenticate', null, now);
	return {
		challenge: encodeBase64urlNoPadding(challenge),
		rpId: rp.id,
		timeout: CHALLENGE_LIFETIME_SECONDS * 1000,
		allowCredentials: [],
		userVerification: 'required'
	};
}

/** AuthenticatorAssertionResponse (§5.2.2) and the credential's id, decoded from base64url. */
export interface AuthenticationResponse {
	credentialId: Uint8Array;
	clientDataJSON: Uint8Array;
	authenticatorData: Uint8Array;
	signature: Uint8Array;
	userHandle: Uint8Array | null;
}

/** Who signed in, and how strongly (RFC 8176 methods for the session). */
export interface PasskeySignIn {
	userId: string;
	passkeyId: string;
	amr: AuthenticationMethod[];
}

/**
 * Verifies a passkey sign-in (WebAuthn §7.2, in the spec's order) and records the use (the new
 * signature counter, the time). A passkey with user verification is both something you have and
 * something you are or know: `mfa`, with `hwk` for a device-bound key and `swk` for one its
 * platform backs up and syncs (the BE flag, §6.1.3).
 */
export async function verifyPasskeySignIn(
	db: Database,
	rp: RelyingParty,
	response: AuthenticationResponse,
	now = new Date()
): Promise<Verified<PasskeySignIn>> {
	const credentialId = encodeBase64urlNoPadding(response.credentialId);
	// §7.2: parse C and check that C.type is "webauthn.get". Taken before the credential lookup
	// so that the challenge is used up by any attempt, known credential or not.
	const clientData = parseClientData(response.clientDataJSON);
	if (!clientData) return refuse('malformed');
	if (clientData.type !== ClientDataType.Get) return refuse('wrong-ceremony');
	// §7.2: C.challenge is a challenge issued for a sign-in (not for a registration).
	if (!(await consumeChallenge(db, clientData.challenge, 'authenticate', null, now))) return refuse('challenge');
	// §7.2: the credential is one we know (allowCredentials was empty, so any of ours).
	const [passkey] = await db.select().from(passkeys).where(eq(passkeys.id, credentialId)).limit(1);
	if (!passkey) return refuse('unknown-credential');
	const refuseOwner = (failure: PasskeyFailure) => ({ ok: false as const, failure, credentialOwner: passkey.userId });
	// §7.2: "If the user was not identified before the authentication ceremony was
	// initiated, verify that response.userHandle is present. Verify that the user account
	// identified by response.userHandle contains a credential record whose id equals credential.rawId."
	if (!response.userHandle || !bytesEqual(response.userHandle, userHandleOf(passkey.userId))) return refuseOwner('user-handle');
	// §7.2: C.origin is ours; not inside another site's frame.
	const origin = checkOrigin(clientData, rp);
	if (origin) return refuseOwner(origin);
	let authenticatorData: AuthenticatorData;
	try {
		authenticatorData = parseAuthenticatorData(response.authenticatorData);
	} catch {
		return refuseOwner('malformed');
	}
	// §7.2: rpIdHash, UP, UV, BE/BS.
	const flags = checkAuthenticatorData(authenticatorData, response.authenticatorData, rp);
	if (flags) return refuseOwner(flags);
	// §7.2: BE is fixed when the credential is made; a change means another key.
	if (((response.authenticatorData[32] & FLAG_BACKUP_ELIGIBLE) !== 0) !== passkey.backupEligible) return refuseOwner('backup-flags');
	// §7.2: the signature over authenticatorData || SHA-256(clientDataJSON).
	const message = createAssertionSignatureMessage(response.authenticatorData, response.clientDataJSON);
	if (!verifyCredentialSignature(passkey.publicKey, passkey.algorithm, message, response.signature)) return refuseOwner('signature');
	// §7.2 and §6.1.1: when either counter is non-zero, the new one must be greater than
	// the stored one, or two copies of the key may exist; we refuse rather than just note it. The
	// comparison is in the UPDATE, so two sign-ins with one counter value cannot both pass.
	const signCount = authenticatorData.signatureCounter;
	const counted = await db
		.update(passkeys)
		.set({ signCount, lastUsedAt: now })
		.where(and(eq(passkeys.id, passkey.id), or(sql`${passkeys.signCount} < ${signCount}`, and(eq(passkeys.signCount, 0), sql`${signCount} = 0`))))
		.returning({ id: passkeys.id });
	if (!counted.length) return refuseOwner('counter');
	return { ok: true, value: { userId: passkey.userId, passkeyId: passkey.id, amr: [passkey.backupEligible ? 'swk' : 'hwk', 'mfa'] } };
}

// ------------------------------------------------------------------------------ shared checks

function parseClientData(bytes: Uint8Array): ClientData | null {
	try {
		return parseClientDataJSON(bytes);
	} catch {
		return null;
	}
}

/**
 * §7.1 / §7.2: C.origin is exactly the provider's origin (§13.4.9: an exact match, scheme and
 * port included), and the ceremony did not run in a cross-origin iframe (C.crossOrigin), which
 * this provider never asks for: its pages cannot be framed.
 */
function checkOrigin(clientData: ClientData, rp: RelyingParty): PasskeyFailure | null {
	if (clientData.origin !== rp.origin) return 'origin';
	if (clientData.crossOrigin === true) return 'origin';
	return null;
}

/**
 * The authenticator data checks both ceremonies share (§7.1, §7.2): rpIdHash is SHA-256 of our
 * RP ID; the user was present (UP) and verified (UV: the options say userVerification
 * "required"); BS is never set without BE (§6.1.3).
 */
function checkAuthenticatorData(data: AuthenticatorData, raw: Uint8Array, rp: RelyingParty): PasskeyFailure | null {
	if (!bytesEqual(data.relyingPartyIdHash, sha256(new TextEncoder().encode(rp.id)))) return 'rp-id';
	if (!data.userPresent) return 'user-not-present';
	if (!data.userVerified) return 'user-not-verified';
	const flags = raw[32];
	if ((flags & FLAG_BACKED_UP) !== 0 && (flags & FLAG_BACKUP_ELIGIBLE) === 0) return 'backup-flags';
	return null;
}

const AUTH_DATA_KEY = new Uint8Array([0x68, ...new TextEncoder().encode('authData')]);

/**
 * The raw bytes of the authenticator data inside an attestation object (§6.5.4): the library
 * gives the parsed form only, and we need the raw flags byte (BE, BS) and the exact COSE key
 * bytes. The object is a CBOR map whose "authData" key (a text string, 0x68 + 8 bytes) is
 * followed by a byte string (major type 2); with format "none" and an empty attStmt the key
 * cannot occur earlier. The result is checked against the parsed form by the caller.
 */
function rawAuthenticatorData(attestationObject: Uint8Array): Uint8Array | null {
	for (let at = 0; at + AUTH_DATA_KEY.length < attestationObject.length; at++) {
		if (!bytesEqual(attestationObject.subarray(at, at + AUTH_DATA_KEY.length), AUTH_DATA_KEY)) continue;
		let offset = at + AUTH_DATA_KEY.length;
		const head = attestationObject[offset++];
		let length: number;
		if (head >= 0x40 && head <= 0x57) length = head - 0x40;
		else if (head === 0x58) length = attestationObject[offset++];
		else if (head === 0x59) {
			length = (attestationObject[offset] << 8) | attestationObject[offset + 1];
			offset += 2;
		} else return null;
		return offset + length <= attestationObject.length ? attestationObject.slice(offset, offset + length) : null;
	}
	return null;
}

/** Whether `raw` parses to the same credential as the library's parsed authenticator data. */
function sameCredential(raw: Uint8Array, parsed: AuthenticatorData): boolean {
	try {
		const again = parseAuthenticatorData(raw);
		return (
			!!again.credential &&
			!!parsed.credential &&
			bytesEqual(again.credential.id, parsed.credential.id) &&
			bytesEqual(again.relyingPartyIdHash, parsed.relyingPartyIdHash)
		);
	} catch {
		return false;
	}
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
	return a.byteLength === b.byteLength && constantTimeEqual(a, b);
}

/** Base64url (with or without padding) to bytes; null when it is not base64url. */
export function decodeBase64url(value: unknown, maxLength = 16_384): Uint8Array | null {
	if (typeof value !== 'string' || value.length > maxLength || !/^[A-Za-z0-9_-]*={0,2}$/.test(value)) return null;
	try {
		return decodeBase64urlIgnorePadding(value.replace(/=+$/, ''));
	} catch {
		return null;
	}
}
