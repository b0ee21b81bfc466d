/**
 * One line per JWT member, in the order a reader needs them: who issued it, about whom, for
 * whom, when; then what binds it to this flow; then the profile claims.
 */
export const CLAIM_ORDER = [
	'iss',
	'sub',
	'aud',
	'azp',
	'exp',
	'iat',
	'auth_time',
	'amr',
	'acr',
	'nonce',
	'at_hash',
	'sid',
	'jti',
	'events',
	'name',
	'given_name',
	'family_name',
	'preferred_username',
	'email',
	'email_verified',
	'picture',
	'locale',
	'updated_at'
];

export const CLAIM_NOTES: Record<string, string> = {
	iss: 'Issuer: the provider that signed the token; must equal the issuer the site trusts.',
	sub: "Subject: the user's stable, unique id at this provider; the site keys accounts on it (never on email).",
	aud: "Audience: the client(s) the token is for; must include this site's client_id.",
	azp: 'Authorized party: the client the token was issued to, when there are several audiences.',
	exp: 'Expires at (seconds since 1970, UTC): the token must not be accepted after this.',
	iat: 'Issued at: when the provider signed it.',
	auth_time: 'When the user last actually authenticated at the provider (a reused session keeps the old time).',
	amr: 'Authentication methods used (RFC 8176): pwd = password, fed = an upstream provider, mfa, ...',
	acr: 'Authentication context class: how strong the sign-in was.',
	nonce: 'The random value the site sent in the authorization request: ties the token to this sign-in.',
	at_hash: 'Left half of the hash of the access token, base64url: ties the access token to this ID token.',
	sid: 'The provider session id: a back-channel logout names it to end this session.',
	jti: 'Unique token id: lets a receiver refuse a replay.',
	events: 'Security events (RFC 8417); a logout token carries the back-channel logout event.',
	name: 'Full name, for display (scope profile).',
	given_name: 'First name (scope profile).',
	family_name: 'Last name (scope profile).',
	preferred_username: 'Short name the user likes (not unique, not an identifier).',
	email: 'Email address (scope email); not an identifier: it can change or be reassigned.',
	email_verified: 'Whether the provider confirmed the user controls the address.',
	picture: 'Profile picture URL.',
	locale: 'Preferred language.',
	updated_at: 'When the profile last changed.'
};

export const HEADER_NOTES: Record<string, string> = {
	alg: 'Signature algorithm; the site accepts only the ones it allows (never "none").',
	kid: "Key id: which of the provider's published keys (JWKS) verifies the signature.",
	typ: 'Token type: tells an ID token, an access token (at+jwt) and a logout token (logout+jwt) apart.'
};

const TIME_CLAIMS = new Set(['exp', 'iat', 'auth_time', 'nbf', 'updated_at']);

/** Claims in CLAIM_ORDER first, the rest alphabetically. */
export function orderedClaims(payload: Record<string, unknown>): Array<[string, unknown]> {
	const rank = (name: string) => {
		const i = CLAIM_ORDER.indexOf(name);
		return i === -1 ? CLAIM_ORDER.length : i;
	};
	return Object.entries(payload).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
}

/** A claim's value for reading: times also as UTC dates. */
export function showClaim(name: string, value: unknown): string {
	if (TIME_CLAIMS.has(name) && typeof value === 'number') return `${value} (${new Date(value * 1000).toISOString().replace('.000Z', 'Z')})`;
	return typeof value === 'string' ? value : JSON.stringify(value);
}
