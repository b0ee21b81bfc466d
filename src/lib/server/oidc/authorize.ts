import { meetsAcr, parseAmr, ACR } from '../auth/authentication-strength';
import type { Database } from '../db';
import { parseScope } from './claims';
import { findClient, type Client } from './clients';
import { displayClientName } from './client-names';
import {
	ConsentRequired,
	InvalidRequest,
	InvalidScope,
	LoginRequired,
	OAuthError,
	RequestNotSupported,
	RequestURINotSupported,
	UnauthorizedClient,
	UnsupportedResponseType
} from './errors';
import { singleValued } from './http';
import { isValidS256Challenge } from './pkce';
import { isCoveredByConsent } from './consent';

/** A checked authorization request (RFC 6749 §4.1.1, OIDC Core §3.1.2.1). */
export interface AuthorizationRequest {
	client: Client;
	redirectURI: string;
	scope: string;
	state?: string;
	nonce?: string;
	codeChallenge?: string;
	prompt: Set<'none' | 'login' | 'consent'>;
	maxAge?: number;
	loginHint?: string;
	/** OIDC Core §3.1.2.1 `acr_values`, in order of preference; empty or absent when not asked. */
	acrValues?: string[];
}

/**
 * A request that failed validation. `redirectURI` is set only once client and redirect URI
 * are verified; before that the error must be shown to the user, never sent anywhere
 * (RFC 6749 §4.1.2.1, RFC 9700 §4.11).
 */
export interface RejectedAuthorizationRequest {
	error: OAuthError;
	redirectURI?: string;
	state?: string;
	/** The verified client, set together with `redirectURI`. */
	client?: Client;
	/**
	 * For a redirect URI the client did not register: that client, for the developer pages
	 * only (its registered URIs). Never a place to send anything.
	 */
	unverifiedRedirectClient?: Client;
	/** The redirect_uri as sent, unverified. */
	requestedRedirectURI?: string;
}

const PROMPTS = new Set(['none', 'login', 'consent']);

/** Validates the parameters in spec order: client, redirect URI, then everything else. */
export async function validateAuthorizationRequest(
	db: Database,
	query: URLSearchParams
): Promise<{ request: AuthorizationRequest } | { rejected: RejectedAuthorizationRequest }> {
	let params: Map<string, string>;
	try {
		params = singleValued(query);
	} catch (error) {
		return { rejected: { error: error as OAuthError } };
	}
	const clientId = params.get('client_id');
	if (!clientId) return { rejected: { error: new InvalidRequest('client_id is required').enforcing('client-id-required') } };
	const client = await findClient(db, clientId);
	if (!client) return { rejected: { error: new InvalidRequest(`unknown client_id "${clientId}"`).enforcing('client-id-unknown') } };
	const redirectURI = params.get('redirect_uri');
	// OIDC Core §3.1.2.1 makes redirect_uri required; it must match a registered one exactly.
	if (!redirectURI)
		return { rejected: { error: new InvalidRequest('redirect_uri is required').enforcing('redirect-uri-required'), unverifiedRedirectClient: client } };
	if (!client.redirectURIs.includes(redirectURI)) {
		const error = new InvalidRequest(`redirect_uri "${redirectURI}" is not registered for this client`).enforcing('redirect-uri-unregistered');
		return { rejected: { error, unverifiedRedirectClient: client, requestedRedirectURI: redirectURI } };
	}

	const state = params.get('state');
	const reject = (error: OAuthError) => ({ rejected: { error, redirectURI, state, client } });
	// RFC 6749 §4.1.2.1: a client not registered for the code grant may not ask for a code.
	if (!client.grantTypes.includes('authorization_code'))
		return reject(new UnauthorizedClient('this client is not registered for the authorization code grant').enforcing('grant-type-not-registered'));
	if (params.has('request')) return reject(new RequestNotSupported());
	if (params.has('request_uri')) return reject(new RequestURINotSupported());
	const responseType = params.get('response_type');
	if (!responseType) return reject(new InvalidRequest('response_type is required').enforcing('response-type-required'));
	if (responseType !== 'code') return reject(new UnsupportedResponseType(responseType).enforcing('response-type-unsupported'));
	const responseMode = params.get('response_mode');
	if (responseMode && responseMode !== 'query') return reject(new InvalidRequest(`response_mode "${responseMode}" is not supported`));
	const scopes = parseScope(params.get('scope'));
	if (!scopes) return reject(new InvalidScope('the scope must include "openid"').enforcing('scope-openid-required'));

	const codeChallenge = params.get('code_challenge');
	const method = params.get('code_challenge_method');
	if (codeChallenge) {
		// RFC 9700 §2.1.1: "plain" offers no protection against a leaked request.
		if ((method ?? 'plain') !== 'S256') return reject(new InvalidRequest('code_challenge_method must be S256').enforcing('pkce-method-s256'));
		if (!isValidS256Challenge(codeChallenge))
			return reject(new InvalidRequest('code_challenge is not a valid S256 challenge').enforcing('pkce-challenge-malformed'));
	} else if (method) {
		return reject(new InvalidRequest('code_challenge_method was sent without code_challenge').enforcing('pkce-method-s256'));
	} else if (client.tokenEndpointAuthMethod === 'none') {
		// RFC 9700 §2.1.1: public clients must use PKCE.
		return reject(new InvalidRequest('code_challenge is required for public clients').enforcing('pkce-required'));
	}

	const prompt = new Set((params.get('prompt') ?? '').split(' ').filter(Boolean));
	for (const value of prompt) {
		if (!PROMPTS.has(value)) return reject(new InvalidRequest(`prompt "${value}" is not supported`));
	}
	if (prompt.has('none') && prompt.size > 1) return reject(new InvalidRequest('prompt=none cannot be combined with other values'));
	let maxAge: number | undefined;
	const maxAgeParam = params.get('max_age');
	if (maxAgeParam !== undefined) {
		if (!/^\d{1,9}$/.test(maxAgeParam)) return reject(new InvalidRequest('max_age must be a non-negative integer'));
		maxAge = Number(maxAgeParam);
	}

	return {
		request: {
			client,
			redirectURI,
			scope: scopes.join(' '),
			state,
			nonce: params.get('nonce'),
			codeChallenge,
			prompt: prompt as AuthorizationRequest['prompt'],
			maxAge,
			loginHint: params.get('login_hint'),
			// Space-separated, in order of preference. A voluntary request: values this provider
			// does not know are never met, not an error (OIDC Core §5.5.1.1).
			acrValues: (params.get('acr_values') ?? '').split(' ').filter(Boolean)
		}
	};
}

export interface SignedInUser {
	sessionId: string;
	userId: string;
	authTime: Date;
	/** How the user authenticated (RFC 8176 values, space-separated): the session's `amr`. */
	amr: string;
}

/** The second factors a user has, for a step-up: a confirmed authenticator app, any passkey. */
export interface AvailableFactors {
	totp: boolean;
	passkey: boolean;
}

/** How a step-up proves more: a code from the authenticator app, or a sign-in with a passkey. */
export type StepUpMethod = 'totp' | 'passkey';

/** What the authorization endpoint does next for a valid request. */
export type AuthorizationDecision =
	{ next: 'issue-code' } | { next: 'login' } | { next: 'step-up'; via: StepUpMethod } | { next: 'consent' } | { next: 'error'; error: OAuthError };

const NO_SECOND_FACTOR: AvailableFactors = { totp: false, passkey: false };

/**
 * OIDC Core §3.1.2.3: decides whether the user must sign in (again), step up or consent before
 * a code can be issued; `prompt=none` turns every interaction into an error instead.
 * `factors`: what the signed-in user could step up with (looked up only for `acr_values`).
 */
export function decideAuthorization(
	request: AuthorizationRequest,
	user: SignedInUser | null,
	consentedScope: string | null,
	now: Date,
	factors: AvailableFactors = NO_SECOND_FACTOR
): AuthorizationDecision {
	const tooOld = user !== null && request.maxAge !== undefined && now.getTime() - user.authTime.getTime() > request.maxAge * 1000;
	if (!user || tooOld || request.prompt.has('login')) {
		return request.prompt.has('none') ? { next: 'error', error: new LoginRequired() } : { next: 'login' };
	}
	const amr = parseAmr(user.amr);
	const acrValues = request.acrValues ?? [];
	if (acrValues.length > 0 && !acrValues.some((acr) => meetsAcr(amr, acr))) {
		// Step up only when the user can reach a requested class; otherwise the code is issued
		// with the class reached, and the ID token's `acr` says so (OIDC Core §3.1.2.1: a
		// voluntary request; the client decides what to make of it).
		const via = stepUpMethod(acrValues, amr, factors);
		if (via) {
			// §3.1.2.6: an authentication is needed and no page may be shown.
			if (request.prompt.has('none'))
				return { next: 'error', error: new LoginRequired('the client asked for a stronger authentication (acr_values) than this session has') };
			return { next: 'step-up', via };
		}
	}
	const consented = request.client.trusted || isCoveredByConsent(request.scope, consentedScope);
	if (!consented || request.prompt.has('consent')) {
		return request.prompt.has('none') ? { next: 'error', error: new ConsentRequired() } : { next: 'consent' };
	}
	return { next: 'issue-code' };
}

/** The first requested class the user's factors can reach, and how; null when none can be. */
export function stepUpMethod(acrValues: readonly string[], amr: readonly string[], factors: AvailableFactors): StepUpMethod | null {
	for (const acr of acrValues) {
		if (acr === ACR.multiFactor) {
			if (factors.totp && !amr.includes('otp')) return 'totp';
			if (factors.passkey) return 'passkey';
		}
		if (acr === ACR.phishingResistant && factors.passkey) return 'passkey';
	}
	return null;
}

/**
 * RFC 9700 §4.11.2: an error response may be redirected automatically only to a client the
 * provider has reason to trust. Anyone can register a client and a redirect URI, which would
 * make every error (a bad parameter is enough) a redirect from our origin to any site: for a
 * self-registered client the user is shown where the error would go, and decides.
 */
export function redirectsErrorsWithoutAsking(client: Client): boolean {
	return !client.selfRegistered;
}

/** What the provider shows instead of redirecting an error to a client it has no reason to trust. */
export interface ErrorRedirectConfirmation {
	clientName: string;
	/** The client's redirect URI with the error response: where "Continue" leads. */
	destination: string;
	/** The destination's host, shown prominently. */
	host: string;
	error: { code: string; description: string };
}

export function errorRedirectConfirmation(client: Client, destination: string, error: OAuthError): ErrorRedirectConfirmation {
	return {
		clientName: displayClientName(client.name),
		destination,
		host: new URL(destination).host,
		error: { code: error.code, description: error.description }
	};
}

/**
 * The redirect back to the client: `code` or `error`/`error_description`, with `state` and
 * RFC 9207's `iss` so the client can tell which provider answered.
 */
export function authorizationResponseURL(redirectURI: string, issuer: string, result: { code: string } | { error: OAuthError }, state?: string): string {
	const url = new URL(redirectURI);
	if ('code' in result) url.searchParams.set('code', result.code);
	else {
		url.searchParams.set('error', result.error.code);
		url.searchParams.set('error_description', result.error.description);
	}
	if (state !== undefined) url.searchParams.set('state', state);
	url.searchParams.set('iss', issuer);
	return url.href;
}
