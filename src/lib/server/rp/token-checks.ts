import { errors } from 'jose';
import type { CheckResult, FlowCheck, FlowRecorder } from './flow-trace';

/**
 * The checks a site makes on a JWT, in the order it makes them (jose's jwtVerify first:
 * format, alg, key, signature, typ, presence, iss, aud, exp, iat; then the site's own), each
 * with the rule it comes from and what skipping it would let an attacker do. The flow
 * inspector shows them; the verification itself is jose's and verify.ts's.
 */
export interface TokenCheckContext {
	header: Record<string, unknown>;
	payload: Record<string, unknown>;
	expected: { issuer: string; audience: string; nonce?: string; typ?: string; requiredClaims: string[] };
	/** Seconds since the epoch when the site verified. */
	now: number;
	clockSkewSeconds: number;
	maxAgeSeconds?: number;
	/** The JWK the `kid` selected (after a successful lookup). */
	key?: { kid?: string; kty?: string; alg?: string };
	/** The at_hash the site computed from the access token it received. */
	computedAtHash?: string;
	accessTokenReceived?: boolean;
}

export interface TokenCheckDefinition {
	id: string;
	name: string;
	spec: string;
	specURL: string;
	withoutIt: string;
	detail: (c: TokenCheckContext) => string;
	/** False: the check does not apply to this token (e.g. azp with a single audience). */
	applies?: (c: TokenCheckContext) => boolean;
}

/** A check of the site's own (after jose's) failed; `check` names it. */
export class TokenCheckFailed extends Error {
	constructor(
		readonly check: string,
		message: string
	) {
		super(message);
	}
}

const OIDC_CORE = 'https://openid.net/specs/openid-connect-core-1_0.html';
const BACKCHANNEL = 'https://openid.net/specs/openid-connect-backchannel-1_0.html#Validation';
const show = (v: unknown) => (v === undefined ? '(absent)' : typeof v === 'string' ? v : JSON.stringify(v));
const time = (s: unknown) => (typeof s === 'number' ? `${s} (${new Date(s * 1000).toISOString()})` : show(s));
export const ALLOWED_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'];

const format: TokenCheckDefinition = {
	id: 'format',
	name: 'A signed JWT (three base64url parts, JSON header and payload)',
	spec: 'RFC 7519 §7.2',
	specURL: 'https://www.rfc-editor.org/rfc/rfc7519#section-7.2',
	withoutIt: 'A malformed or unsigned token could reach code that assumes it was parsed and signed.',
	detail: (c) => `header ${show(c.header)}`
};

const alg: TokenCheckDefinition = {
	id: 'alg',
	name: 'alg is one the site allows',
	spec: 'OIDC Core §3.1.3.7 item 7; RFC 8725 §3.1',
	specURL: 'https://www.rfc-editor.org/rfc/rfc8725#section-3.1',
	withoutIt: 'An attacker sends alg "none" (no signature) or HS256 keyed with the public key, and the forgery verifies.',
	detail: (c) => `alg = ${show(c.header.alg)} (allowed: ${ALLOWED_ALGORITHMS.join(', ')})`
};

const key: TokenCheckDefinition = {
	id: 'key',
	name: "kid selects a key from the provider's JWKS",
	spec: 'OIDC Core §10.1.1; RFC 7515 §4.1.4',
	specURL: `${OIDC_CORE}#RotateSigKeys`,
	withoutIt: 'Trusting a key named in the token itself (jwk, jku) lets an attacker sign with their own key.',
	detail: (c) =>
		c.key ? `kid = ${show(c.header.kid)} → ${c.key.kty ?? '?'} key${c.key.alg ? ` for ${c.key.alg}` : ''} from the JWKS` : `kid = ${show(c.header.kid)}`
};

const signature: TokenCheckDefinition = {
	id: 'signature',
	name: 'Signature verifies with that key',
	spec: 'OIDC Core §3.1.3.7 item 6',
	specURL: `${OIDC_CORE}#IDTokenValidation`,
	withoutIt: 'Anyone could write a token with any sub and email and be signed in as that person.',
	detail: (c) => `${show(c.header.alg)} signature checked with kid ${show(c.header.kid)}`
};

const typ = (expected: string, spec: string, specURL: string, withoutIt: string): TokenCheckDefinition => ({
	id: 'typ',
	name: `typ is ${expected}`,
	spec,
	specURL,
	withoutIt,
	detail: (c) => `typ = ${show(c.header.typ)} (expected ${expected})`
});

const required: TokenCheckDefinition = {
	id: 'required',
	name: 'Required claims are present',
	spec: 'OIDC Core §2; RFC 7519 §4.1',
	specURL: `${OIDC_CORE}#IDToken`,
	withoutIt: 'A token without exp never expires; one without sub names nobody, yet code would use it.',
	detail: (c) =>
		`required: ${c.expected.requiredClaims.join(', ')}; missing: ${c.expected.requiredClaims.filter((n) => !(n in c.payload)).join(', ') || 'none'}`
};

const iss = (spec: string, specURL: string): TokenCheckDefinition => ({
	id: 'iss',
	name: 'iss is the provider',
	spec,
	specURL,
	withoutIt: "A token from another provider (one the attacker runs, or a mix-up) would be accepted as this one's.",
	detail: (c) => `iss = ${show(c.payload.iss)} (expected ${c.expected.issuer})`
});

const aud = (spec: string, specURL: string, withoutIt: string): TokenCheckDefinition => ({
	id: 'aud',
	name: 'aud names this site',
	spec,
	specURL,
	withoutIt,
	detail: (c) => `aud = ${show(c.payload.aud)} (expected ${c.expected.audience})`
});

const exp: TokenCheckDefinition = {
	id: 'exp',
	name: 'Not expired (exp, with clock skew)',
	spec: 'OIDC Core §3.1.3.7 item 9',
	specURL: `${OIDC_CORE}#IDTokenValidation`,
	withoutIt: 'A token stolen long ago (from a log, a backup) would keep working forever.',
	detail: (c) => `exp = ${time(c.payload.exp)}; now = ${time(c.now)}; allowed skew ${c.clockSkewSeconds} s`
};

const iat: TokenCheckDefinition = {
	id: 'iat',
	name: 'Issued recently (iat)',
	spec: 'OIDC Core §3.1.3.7 item 10',
	specURL: `${OIDC_CORE}#IDTokenValidation`,
	withoutIt: 'A token issued long ago, or dated in the future by a bad clock, would be taken as fresh.',
	detail: (c) =>
		`iat = ${time(c.payload.iat)}; now = ${time(c.now)}; ${c.maxAgeSeconds ? `at most ${c.maxAgeSeconds} s old, ` : ''}allowed skew ${c.clockSkewSeconds} s`
};

/** OIDC Core §3.1.3.7: the ID token of a sign-in, checked in the callback. */
export const ID_TOKEN_CHECKS: TokenCheckDefinition[] = [
	format,
	alg,
	key,
	signature,
	required,
	iss('OIDC Core §3.1.3.7 item 2', `${OIDC_CORE}#IDTokenValidation`),
	aud(
		'OIDC Core §3.1.3.7 item 3',
		`${OIDC_CORE}#IDTokenValidation`,
		'An ID token the provider issued to another site (perhaps one the attacker runs) could be replayed here to sign in as its user.'
	),
	exp,
	iat,
	{
		id: 'nonce',
		name: 'nonce is the one this sign-in sent',
		spec: 'OIDC Core §3.1.3.7 item 11',
		specURL: `${OIDC_CORE}#IDTokenValidation`,
		withoutIt: 'An ID token captured from an earlier sign-in could be injected and replayed into this one.',
		detail: (c) => `nonce = ${c.payload.nonce === undefined ? '(absent)' : prefix(c.payload.nonce)} (sent ${c.expected.nonce ? prefix(c.expected.nonce) : '?'})`
	},
	{
		id: 'azp',
		name: 'azp names this site when there are several audiences',
		spec: 'OIDC Core §3.1.3.7 items 4-5',
		specURL: `${OIDC_CORE}#IDTokenValidation`,
		withoutIt: 'A token meant mainly for another party that also lists this site could be used here.',
		detail: (c) => (Array.isArray(c.payload.aud) && c.payload.aud.length > 1 ? `azp = ${show(c.payload.azp)}` : 'one audience: azp is not needed'),
		applies: (c) => Array.isArray(c.payload.aud) && c.payload.aud.length > 1
	},
	{
		id: 'at_hash',
		name: 'at_hash matches the access token',
		spec: 'OIDC Core §3.1.3.6, §3.1.3.8 (§3.2.2.9)',
		specURL: `${OIDC_CORE}#CodeFlowTokenValidation`,
		withoutIt: 'An attacker could swap in another access token (theirs, or one for another user) beside a valid ID token.',
		detail: (c) =>
			c.payload.at_hash === undefined
				? 'the ID token has no at_hash (optional in the code flow)'
				: `at_hash = ${show(c.payload.at_hash)}; left half of the ${hashNameFor(c.header.alg)} of the access token = ${c.computedAtHash ?? '(not computed)'}`,
		applies: (c) => c.payload.at_hash !== undefined && c.accessTokenReceived === true
	}
];

/** How a backend API checks the provider's session JWT (the "Call this site's API" button). */
export const SESSION_JWT_CHECKS: TokenCheckDefinition[] = [
	format,
	alg,
	key,
	signature,
	typ(
		'JWT',
		'RFC 8725 §3.11',
		'https://www.rfc-editor.org/rfc/rfc8725#section-3.11',
		'An access token (typ at+jwt) or another JWT from the same provider could be passed off as a session token.'
	),
	required,
	iss('RFC 7519 §4.1.1; RFC 8725 §3.8', 'https://www.rfc-editor.org/rfc/rfc8725#section-3.8'),
	aud('RFC 7519 §4.1.3', 'https://www.rfc-editor.org/rfc/rfc7519#section-4.1.3', 'A JWT the provider minted for another audience could call this API.'),
	exp
];

/** Back-Channel Logout 1.0 §2.6: the logout token the provider POSTs to the site. */
export const LOGOUT_TOKEN_CHECKS: TokenCheckDefinition[] = [
	format,
	alg,
	key,
	{
		...signature,
		spec: 'Back-Channel Logout 1.0 §2.6 step 3',
		specURL: BACKCHANNEL,
		withoutIt: 'Anyone who can reach the site could sign every user out (denial of service).'
	},
	typ(
		'logout+jwt',
		'Back-Channel Logout 1.0 §2.4; RFC 8725 §3.11',
		BACKCHANNEL,
		'An ID token, which also has iss, aud and sub, could be replayed as a logout token.'
	),
	{ ...required, spec: 'Back-Channel Logout 1.0 §2.4', specURL: BACKCHANNEL },
	iss('Back-Channel Logout 1.0 §2.6 step 4', BACKCHANNEL),
	aud('Back-Channel Logout 1.0 §2.6 step 4', BACKCHANNEL, 'A logout token for another site could end sessions here.'),
	{ ...exp, spec: 'Back-Channel Logout 1.0 §2.6 step 4', specURL: BACKCHANNEL },
	{ ...iat, spec: 'Back-Channel Logout 1.0 §2.6 step 4', specURL: BACKCHANNEL },
	{
		id: 'events',
		name: 'events contains the back-channel logout event',
		spec: 'Back-Channel Logout 1.0 §2.6 step 5',
		specURL: BACKCHANNEL,
		withoutIt: 'Another kind of security event token would be taken as a logout.',
		detail: (c) => `events = ${show(c.payload.events)}`
	},
	{
		id: 'no-nonce',
		name: 'No nonce claim',
		spec: 'Back-Channel Logout 1.0 §2.6 step 7',
		specURL: BACKCHANNEL,
		withoutIt: 'An ID token (which carries a nonce) could be replayed as a logout token.',
		detail: (c) => (c.payload.nonce === undefined ? 'no nonce' : 'nonce present')
	},
	{
		id: 'sid-or-sub',
		name: 'sid or sub names what to end',
		spec: 'Back-Channel Logout 1.0 §2.6 step 6',
		specURL: BACKCHANNEL,
		withoutIt: 'A token naming nobody could be read as "everyone".',
		detail: (c) => `sid = ${show(c.payload.sid)}, sub = ${show(c.payload.sub)}`
	},
	{
		id: 'jti',
		name: 'jti not seen before (replay)',
		spec: 'Back-Channel Logout 1.0 §2.6 step 10',
		specURL: BACKCHANNEL,
		withoutIt: 'A logout token that leaked (a log, a proxy) could be replayed to sign the user out again and again.',
		detail: (c) => `jti = ${show(c.payload.jti)}`
	}
];

function prefix(value: unknown): string {
	return typeof value === 'string' ? `${value.slice(0, 6)}…` : show(value);
}

export function hashNameFor(alg: unknown): string {
	return alg === 'EdDSA'
		? 'SHA-512'
		: alg === 'ES384' || alg === 'RS384' || alg === 'PS384'
			? 'SHA-384'
			: alg === 'ES512' || alg === 'RS512' || alg === 'PS512'
				? 'SHA-512'
				: 'SHA-256';
}

/** Which check a verification error stopped at (jose's errors, or TokenCheckFailed). */
export function failedCheckOf(error: unknown): string {
	if (error instanceof TokenCheckFailed) return error.check;
	if (error instanceof errors.JOSEAlgNotAllowed) return 'alg';
	if (
		error instanceof errors.JWKSNoMatchingKey ||
		error instanceof errors.JWKSMultipleMatchingKeys ||
		error instanceof errors.JWKSTimeout ||
		error instanceof errors.JWKSInvalid
	)
		return 'key';
	if (error instanceof errors.JWSSignatureVerificationFailed) return 'signature';
	if (error instanceof errors.JWTExpired) return error.claim === 'iat' ? 'iat' : 'exp';
	if (error instanceof errors.JWTClaimValidationFailed) {
		if (error.reason === 'missing') return 'required';
		if (error.claim === 'nbf') return 'exp';
		return error.claim;
	}
	// JWSInvalid, JWTInvalid, an unsupported alg, a TypeError from a broken header: the format.
	return 'format';
}

/**
 * Records each check's result: on success all passed; on failure, those before the one that
 * failed passed, the failed one says why, and the rest were never reached.
 */
export function recordTokenChecks(recorder: FlowRecorder | undefined, definitions: TokenCheckDefinition[], context: TokenCheckContext, error?: unknown): void {
	if (!recorder) return;
	const failedAt =
		error === undefined
			? -1
			: Math.max(
					0,
					definitions.findIndex((d) => d.id === failedCheckOf(error))
				);
	definitions.forEach((d, index) => {
		let result: CheckResult;
		if (d.applies && !d.applies(context) && (failedAt === -1 || index < failedAt)) result = 'not-applicable';
		else if (failedAt === -1 || index < failedAt) result = 'passed';
		else if (index === failedAt) result = 'failed';
		else result = 'not-checked';
		let detail = safeDetail(d, context);
		if (result === 'failed') detail = `${detail} — ${(error as Error)?.message ?? String(error)}`;
		const check: FlowCheck = { id: d.id, name: d.name, result, detail, spec: d.spec, specURL: d.specURL, withoutIt: d.withoutIt };
		recorder.check(check);
	});
}

function safeDetail(d: TokenCheckDefinition, c: TokenCheckContext): string {
	try {
		return d.detail(c);
	} catch {
		return '';
	}
}
