// How strongly a person authenticated, in the two vocabularies an ID token uses:
// - `amr` (OIDC Core §2, values from RFC 8176 §2): the methods used, e.g. ["pwd", "otp", "mfa"];
// - `acr` (OIDC Core §2): one class the relying party can compare against what it asked for
//   with `acr_values` (§3.1.2.1). The values are the OpenID PAPE policy URIs, which other
//   providers (Auth0, for one) accept for step-up too.

/** The RFC 8176 values this provider emits. */
export type AuthenticationMethod =
	| 'pwd' // a password
	| 'fed' // a sign-in at an upstream provider (GitHub, Google, another OpenID provider)
	| 'otp' // a one-time code (TOTP, RFC 6238), or a single-use recovery code
	| 'hwk' // a passkey bound to its device (proof of possession of a hardware-secured key)
	| 'swk' // a synced passkey (a software-secured key, backed up by its platform)
	| 'mfa'; // more than one factor: a password and a code, or a passkey with user verification

/** The `acr` values this provider can reach, weakest first (discovery `acr_values_supported`). */
export const ACR = {
	/** No policy met: one factor (a password, or a federated sign-in). */
	singleFactor: 'http://schemas.openid.net/pape/policies/2007/06/none',
	/** Two factors of different kinds: a password and a one-time code. */
	multiFactor: 'http://schemas.openid.net/pape/policies/2007/06/multi-factor',
	/** A passkey: bound to the site's origin, so a look-alike site cannot relay it. */
	phishingResistant: 'http://schemas.openid.net/pape/policies/2007/06/phishing-resistant'
} as const;

export const ACR_VALUES_SUPPORTED = [ACR.singleFactor, ACR.multiFactor, ACR.phishingResistant];

/** The methods of a session, parsed from the space-separated column. */
export function parseAmr(amr: string): AuthenticationMethod[] {
	return amr.split(' ').filter(Boolean) as AuthenticationMethod[];
}

/** The strongest class the methods reach. */
export function acrOf(amr: readonly string[]): string {
	if (amr.includes('hwk') || amr.includes('swk')) return ACR.phishingResistant;
	if (amr.includes('mfa')) return ACR.multiFactor;
	return ACR.singleFactor;
}

const STRENGTH: readonly string[] = ACR_VALUES_SUPPORTED;

/** Whether methods `amr` meet the class `acr` (a stronger class meets every weaker one). */
export function meetsAcr(amr: readonly string[], acr: string): boolean {
	const wanted = STRENGTH.indexOf(acr);
	return wanted !== -1 && STRENGTH.indexOf(acrOf(amr)) >= wanted;
}

/**
 * The `acr` claim for an ID token: the first requested value the authentication meets
 * (OIDC Core §3.1.2.1: `acr_values` in order of preference), else the class it reached: a
 * voluntary request the provider could not satisfy is answered with the truth, and the
 * relying party decides.
 */
export function acrClaim(amr: readonly string[], requested: readonly string[] = []): string {
	return requested.find((acr) => meetsAcr(amr, acr)) ?? acrOf(amr);
}

/**
 * The methods after a second factor: the first factor's and the second's, plus `mfa` (RFC 8176
 * §2: "multiple-factor authentication") when they are of different kinds.
 */
export function withSecondFactor(first: readonly string[], second: AuthenticationMethod): AuthenticationMethod[] {
	const methods = new Set([...first, second]) as Set<AuthenticationMethod>;
	methods.add('mfa');
	return [...methods];
}
