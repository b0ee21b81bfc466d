import { CodeChallengeMethod, generateCodeVerifier, generateState, OAuth2Client, OAuth2RequestError } from 'arctic';
import type { ProviderMetadata } from './discovery';

export interface RelyingParty {
	clientId: string;
	clientSecret: string;
	redirectURI: string;
	/** The method the client registered (RFC 7591 §2); the provider accepts no other. */
	tokenEndpointAuthMethod: 'client_secret_basic' | 'client_secret_post';
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
 * code from the server with the client secret, by the client's registered method.
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
	if (rp.tokenEndpointAuthMethod === 'client_secret_post') return exchangeCodeWithPostedSecret(rp, provider, code, pending.codeVerifier);
	// client_secret_basic: arctic's OAuth2Client always sends HTTP Basic.
	const client = new OAuth2Client(rp.clientId, rp.clientSecret, rp.redirectURI);
	try {
		const tokens = await client.validateAuthorizationCode(provider.token_endpoint, code, pending.codeVerifier);
		return { idToken: tokens.idToken(), accessToken: tokens.accessToken() };
	} catch (e) {
		if (e instanceof OAuth2RequestError) throw new SignInFailed(`The code exchange was refused: ${e.description ?? e.code}`);
		throw e;
	}
}

/** RFC 6749 §4.1.3 with client_secret_post (§2.3.1): the credentials in the form body. */
async function exchangeCodeWithPostedSecret(rp: RelyingParty, provider: ProviderMetadata, code: string, codeVerifier: string): Promise<{ idToken: string; accessToken: string }> {
	const response = await fetch(provider.token_endpoint, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
		body: new URLSearchParams({
			grant_type: 'authorization_code',
			code,
			redirect_uri: rp.redirectURI,
			code_verifier: codeVerifier,
			client_id: rp.clientId,
			client_secret: rp.clientSecret
		})
	});
	let body: unknown;
	try {
		body = await response.json();
	} catch {
		throw new SignInFailed(`The token endpoint answered ${response.status} without JSON.`);
	}
	const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
	if (!response.ok) {
		const reason = typeof fields.error_description === 'string' ? fields.error_description : typeof fields.error === 'string' ? fields.error : `HTTP ${response.status}`;
		throw new SignInFailed(`The code exchange was refused: ${reason}`);
	}
	if (typeof fields.id_token !== 'string' || typeof fields.access_token !== 'string') throw new SignInFailed('The token response had no id_token or access_token.');
	return { idToken: fields.id_token, accessToken: fields.access_token };
}

/** The flow cookie's value and back; the parts are base64url, so '.' cannot occur in them. */
export function serializePendingSignIn(p: PendingSignIn): string {
	return [p.state, p.nonce, p.codeVerifier].join('.');
}

export function parsePendingSignIn(value: string | undefined): PendingSignIn | null {
	const [state, nonce, codeVerifier, extra] = value?.split('.') ?? [];
	return state && nonce && codeVerifier && extra === undefined ? { state, nonce, codeVerifier } : null;
}
