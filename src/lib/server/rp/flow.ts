import { CodeChallengeMethod, generateCodeVerifier, generateState, OAuth2Client, OAuth2RequestError } from 'arctic';
import type { ProviderMetadata } from './discovery';

export interface RelyingParty {
	clientId: string;
	clientSecret: string;
	redirectURI: string;
}

/** What the site remembers between sending the user off and the callback (in a cookie). */
export interface PendingSignIn {
	state: string;
	nonce: string;
	codeVerifier: string;
}

export const SIGN_IN_SCOPES = ['openid', 'profile', 'email'];

/** The authorization request (OIDC Core §3.1.2.1) with state, nonce and PKCE S256. */
export function startSignIn(rp: RelyingParty, provider: ProviderMetadata): { url: URL; pending: PendingSignIn } {
	const client = new OAuth2Client(rp.clientId, rp.clientSecret, rp.redirectURI);
	const pending = { state: generateState(), nonce: generateState(), codeVerifier: generateCodeVerifier() };
	const url = client.createAuthorizationURLWithPKCE(
		provider.authorization_endpoint,
		pending.state,
		CodeChallengeMethod.S256,
		pending.codeVerifier,
		SIGN_IN_SCOPES
	);
	url.searchParams.set('nonce', pending.nonce);
	return { url, pending };
}

export class SignInFailed extends Error {}

/**
 * The callback (RFC 6749 §4.1.2): checks `state` and `iss` (RFC 9207), then exchanges the
 * code from the server with the client secret (HTTP Basic, by arctic).
 */
export async function finishSignIn(
	rp: RelyingParty,
	provider: ProviderMetadata,
	pending: PendingSignIn | null,
	callback: URLSearchParams
): Promise<{ idToken: string; accessToken: string }> {
	if (!pending || callback.get('state') !== pending.state) throw new SignInFailed('This sign-in link is stale or was not started here. Please start again.');
	// RFC 9207 §2.4: a provider that advertises `iss` in responses must send it; a missing or
	// different one may be a mix-up attack.
	const iss = callback.get('iss');
	if ((iss === null && provider.authorization_response_iss_parameter_supported) || (iss !== null && iss !== provider.issuer)) {
		throw new SignInFailed('The response did not come from the expected provider.');
	}
	const error = callback.get('error');
	if (error) throw new SignInFailed(`The provider refused the sign-in: ${callback.get('error_description') ?? error}`);
	const code = callback.get('code');
	if (!code) throw new SignInFailed('The provider did not return an authorization code.');
	const client = new OAuth2Client(rp.clientId, rp.clientSecret, rp.redirectURI);
	try {
		const tokens = await client.validateAuthorizationCode(provider.token_endpoint, code, pending.codeVerifier);
		return { idToken: tokens.idToken(), accessToken: tokens.accessToken() };
	} catch (e) {
		if (e instanceof OAuth2RequestError) throw new SignInFailed(`The code exchange was refused: ${e.description ?? e.code}`);
		throw e;
	}
}

/** The flow cookie's value and back; the parts are base64url, so '.' cannot occur in them. */
export function serializePendingSignIn(p: PendingSignIn): string {
	return [p.state, p.nonce, p.codeVerifier].join('.');
}

export function parsePendingSignIn(value: string | undefined): PendingSignIn | null {
	const [state, nonce, codeVerifier, extra] = value?.split('.') ?? [];
	return state && nonce && codeVerifier && extra === undefined ? { state, nonce, codeVerifier } : null;
}
