import { CodeChallengeMethod, generateCodeVerifier, generateState, OAuth2Client } from 'arctic';
import type { ProviderMetadata } from './discovery';
import { hidden, recordedValue, type FlowRecorder } from './flow-trace';

export interface RelyingParty {
	clientId: string;
	clientSecret: string;
	redirectURI: string;
	/** The method the client registered (RFC 7591 §2); the provider accepts no other. */
	tokenEndpointAuthMethod: 'client_secret_basic' | 'client_secret_post';
}

/** What the site remembers between sending the user off and the callback (in a cookie: pending-sign-ins.ts). */
export interface PendingSignIn {
	state: string;
	nonce: string;
	codeVerifier: string;
}

export const SIGN_IN_SCOPES = ['openid', 'profile', 'email'];

/** The authorization request (OIDC Core §3.1.2.1) with state, nonce and PKCE S256. */
export function startSignIn(rp: RelyingParty, provider: ProviderMetadata): { url: URL; pending: PendingSignIn } {
	const pending = { state: generateState(), nonce: generateState(), codeVerifier: generateCodeVerifier() };
	return { url: authorizationURL(rp, provider, pending), pending };
}

/**
 * The authorization URL for a pending sign-in. It depends only on its inputs, so the callback
 * can show the request exactly as it was sent without the site storing it.
 */
export function authorizationURL(rp: RelyingParty, provider: ProviderMetadata, pending: PendingSignIn): URL {
	const client = new OAuth2Client(rp.clientId, rp.clientSecret, rp.redirectURI);
	const url = client.createAuthorizationURLWithPKCE(
		provider.authorization_endpoint,
		pending.state,
		CodeChallengeMethod.S256,
		pending.codeVerifier,
		SIGN_IN_SCOPES
	);
	url.searchParams.set('nonce', pending.nonce);
	return url;
}

export class SignInFailed extends Error {}

const RFC_6749 = 'https://www.rfc-editor.org/rfc/rfc6749';

/**
 * The callback (RFC 6749 §4.1.2): checks `state` and `iss` (RFC 9207), then exchanges the
 * code from the server with the client secret, by the client's registered method.
 */
export async function finishSignIn(
	rp: RelyingParty,
	provider: ProviderMetadata,
	pending: PendingSignIn | null,
	callback: URLSearchParams,
	recorder?: FlowRecorder
): Promise<{ idToken: string; accessToken: string }> {
	const stateMatches = pending !== null && callback.get('state') === pending.state;
	recorder?.check({
		id: 'state',
		name: 'state is the one this browser sent',
		result: stateMatches ? 'passed' : 'failed',
		detail: pending
			? `state = ${shortValue(callback.get('state'))} (a sign-in this browser started: ${shortValue(pending.state)})`
			: `state = ${shortValue(callback.get('state'))}: no sign-in pending in this browser has it (not started here, already used, or older than 10 minutes)`,
		spec: 'RFC 6749 §10.12; RFC 9700 §4.7',
		specURL: `${RFC_6749}#section-10.12`,
		withoutIt: "An attacker could make the victim's browser finish the attacker's sign-in (login CSRF), so the victim works in the attacker's account."
	});
	if (!pending || !stateMatches) throw new SignInFailed('This sign-in link is stale or was not started here. Please start again.');
	// RFC 9207 §2.4: a provider that advertises `iss` in responses must send it; a missing or
	// different one may be a mix-up attack.
	const iss = callback.get('iss');
	const issRefused = (iss === null && provider.authorization_response_iss_parameter_supported) || (iss !== null && iss !== provider.issuer);
	recorder?.check({
		id: 'response-iss',
		name: 'iss in the redirect is the provider',
		result: issRefused ? 'failed' : iss === null ? 'not-applicable' : 'passed',
		detail: `iss = ${iss ?? '(absent)'} (expected ${provider.issuer})`,
		spec: 'RFC 9207 §2.4',
		specURL: 'https://www.rfc-editor.org/rfc/rfc9207#section-2.4',
		withoutIt: "With several providers, an attacker's provider could get the site to send it a code another provider issued (mix-up attack)."
	});
	if (issRefused) throw new SignInFailed('The response did not come from the expected provider.');
	const error = callback.get('error');
	if (error) throw new SignInFailed(`The provider refused the sign-in: ${callback.get('error_description') ?? error}`);
	const code = callback.get('code');
	if (!code) throw new SignInFailed('The provider did not return an authorization code.');
	const tokens = await exchangeCode(rp, provider, code, pending.codeVerifier, recorder);
	recorder?.check({
		id: 'pkce',
		name: 'PKCE: the code is redeemed with its code_verifier',
		result: 'passed',
		detail: 'code_challenge (S256) went with the authorization request; the code_verifier only with the token request, and the provider accepted it',
		spec: 'RFC 7636 §4.5-4.6; RFC 9700 §2.1.1',
		specURL: 'https://www.rfc-editor.org/rfc/rfc7636#section-4.6',
		withoutIt: 'A code intercepted on its way back (a log, a malicious app, a referrer) could be redeemed by someone else.'
	});
	return tokens;
}

/**
 * RFC 6749 §4.1.3: the code exchange, with the client secret sent by the registered method
 * (§2.3.1: HTTP Basic with the form-encoded id and secret, or both in the form body).
 */
async function exchangeCode(
	rp: RelyingParty,
	provider: ProviderMetadata,
	code: string,
	codeVerifier: string,
	recorder?: FlowRecorder
): Promise<{ idToken: string; accessToken: string }> {
	const form = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: rp.redirectURI, code_verifier: codeVerifier });
	const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
	if (rp.tokenEndpointAuthMethod === 'client_secret_post') {
		form.set('client_id', rp.clientId);
		form.set('client_secret', rp.clientSecret);
	} else {
		const credentials = `${encodeURIComponent(rp.clientId)}:${encodeURIComponent(rp.clientSecret)}`;
		headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
	}
	recorder?.step({
		from: 'site',
		to: 'provider',
		label: `POST ${new URL(provider.token_endpoint).pathname}`,
		url: provider.token_endpoint,
		fields: [
			...(headers.authorization
				? [
						{
							name: 'Authorization',
							value: `Basic ${hidden(headers.authorization)}`,
							note: 'client_secret_basic: client_id and client_secret in HTTP Basic (RFC 6749 §2.3.1).'
						}
					]
				: []),
			...[...form].map(([name, value]) => ({ name, value: recordedValue(name, value), note: TOKEN_REQUEST_NOTES[name] }))
		],
		note: 'Server to server, never through the browser: the client secret and the code_verifier prove this is the site that started the sign-in.'
	});
	const response = await fetch(provider.token_endpoint, { method: 'POST', headers, body: form });
	let body: unknown;
	try {
		body = await response.json();
	} catch {
		recorder?.step({ from: 'provider', to: 'site', label: `${response.status} (not JSON)`, fields: [] });
		throw new SignInFailed(`The token endpoint answered ${response.status} without JSON.`);
	}
	const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
	recorder?.step({
		from: 'provider',
		to: 'site',
		label: `${response.status} ${response.ok ? 'tokens' : 'error'}`,
		fields: Object.entries(fields).map(([name, value]) => ({
			name,
			value:
				name === 'id_token' && typeof value === 'string'
					? `${value.slice(0, 12)}… (decoded below)`
					: recordedValue(name, typeof value === 'string' ? value : JSON.stringify(value)),
			note: TOKEN_RESPONSE_NOTES[name]
		})),
		note: `Cache-Control: ${response.headers.get('cache-control') ?? '(none)'} — token responses must not be cached (RFC 6749 §5.1).`
	});
	if (!response.ok) {
		const reason =
			typeof fields.error_description === 'string' ? fields.error_description : typeof fields.error === 'string' ? fields.error : `HTTP ${response.status}`;
		throw new SignInFailed(`The code exchange was refused: ${reason}`);
	}
	if (typeof fields.id_token !== 'string' || typeof fields.access_token !== 'string')
		throw new SignInFailed('The token response had no id_token or access_token.');
	return { idToken: fields.id_token, accessToken: fields.access_token };
}

const shortValue = (value: string | null) => (value === null ? '(absent)' : recordedValue('state', value));

export const AUTHORIZATION_REQUEST_NOTES: Record<string, string> = {
	response_type: 'code: the authorization code flow (OIDC Core §3.1.2.1).',
	client_id: 'Which registered client is asking.',
	redirect_uri: 'Where the provider sends the browser back; must exactly match a registered URI.',
	scope: 'openid makes it an OpenID Connect request; profile and email ask for those claims.',
	state: "Random, kept in this browser's flow cookie with this sign-in's nonce and code_verifier; must come back unchanged (RFC 6749 §10.12).",
	code_challenge: 'BASE64URL(SHA-256(code_verifier)) (RFC 7636 §4.2); the verifier itself stays on the site.',
	code_challenge_method: 'S256: the challenge is a hash, so seeing it does not reveal the verifier.',
	nonce: 'Random; the ID token must carry it back, binding the token to this sign-in (OIDC Core §3.1.2.1).'
};

export const CALLBACK_NOTES: Record<string, string> = {
	code: 'The authorization code: single use, short-lived, useless without the client secret and code_verifier.',
	state: 'Must be the state of a sign-in this browser started and has not finished (the flow cookie keeps each by its state).',
	iss: 'Which provider answered (RFC 9207): protects against mix-up between providers.',
	error: 'The provider refused the request (RFC 6749 §4.1.2.1).',
	error_description: 'Human-readable reason from the provider.'
};

const TOKEN_REQUEST_NOTES: Record<string, string> = {
	grant_type: 'authorization_code: redeeming a code (RFC 6749 §4.1.3).',
	code: 'The code from the redirect; the provider accepts it once.',
	redirect_uri: 'Must be the same as in the authorization request (§4.1.3).',
	code_verifier: 'The PKCE secret: its SHA-256 must equal the code_challenge sent earlier (RFC 7636 §4.5).',
	client_id: 'The client authenticating (client_secret_post).',
	client_secret: 'client_secret_post: the secret in the form body (RFC 6749 §2.3.1). Never shown.'
};

const TOKEN_RESPONSE_NOTES: Record<string, string> = {
	access_token: "For the provider's APIs (userinfo). Redacted: it is a bearer credential.",
	token_type: 'Bearer: whoever holds the access token may use it (RFC 6750).',
	expires_in: 'Seconds the access token lives.',
	refresh_token: 'Gets new tokens later. Redacted: a long-lived credential.',
	scope: 'The scopes granted (may be fewer than asked).',
	id_token: 'Who signed in, signed by the provider; the site verifies it (checks below).',
	error: 'RFC 6749 §5.2 error code.',
	error_description: 'Human-readable reason.'
};
