import { availableSecondFactors } from '../auth/available-factors';
import { SECOND_FACTOR_PATH } from '../auth/second-factor';
import type { SessionWithUser } from '../auth/session';
import {
	authorizationResponseURL,
	decideAuthorization,
	errorRedirectConfirmation,
	redirectsErrorsWithoutAsking,
	validateAuthorizationRequest,
	type ErrorRedirectConfirmation,
	type RejectedAuthorizationRequest
} from './authorize';
import type { Client } from './clients';
import { issueAuthorizationCode } from './codes';
import { findConsentedScope } from './consent';
import type { ProtocolContext } from './context';
import { ENDPOINTS } from './discovery';
import type { OAuthError } from './errors';
import { explainRejection, type DeveloperExplanation } from './request-rules';

/** How the authorization endpoint answers; the route turns it into a Response. */
export type AuthorizationOutcome =
	/** To the login, step-up or consent page, or back to the client with a code or an error. */
	| { redirect: { location: string; status: 302 | 303 } }
	/** Client or redirect URI unverified: the error is shown on the provider, never sent anywhere (RFC 6749 §4.1.2.1). */
	| { rejected: OAuthError; developer?: DeveloperExplanation }
	/** An error for a self-registered client: the user is shown where it would go, and decides (RFC 9700 §4.11.2). */
	| { confirm: ErrorRedirectConfirmation & { developer?: DeveloperExplanation } };

export interface AuthorizationEndpointOptions {
	/** RFC 6749 §4.1.2: a redirect after GET is 302; after POST, 303 turns it back into a GET. */
	method: 'GET' | 'POST';
	/** DEVELOPER_PAGES: say which rule a rejected request broke and how to fix it. */
	explainRejections: boolean;
}

/**
 * OIDC Core §3.1.2 authorization endpoint: validate, then sign in / step up / ask consent /
 * issue a code. https://openid.net/specs/openid-connect-core-1_0.html#AuthorizationEndpoint
 */
export async function authorizationEndpoint(
	ctx: ProtocolContext,
	params: URLSearchParams,
	session: SessionWithUser | null,
	{ method, explainRejections }: AuthorizationEndpointOptions
): Promise<AuthorizationOutcome> {
	const { db, issuer } = ctx;
	const status = method === 'GET' ? 302 : 303;
	const redirect = (location: string): AuthorizationOutcome => ({ redirect: { location, status } });
	const validated = await validateAuthorizationRequest(db, params);
	if ('rejected' in validated) {
		const rejected = validated.rejected;
		const developer = explainRejections ? explainRejected(issuer, rejected) : undefined;
		const { error, redirectURI, client, state } = rejected;
		if (!redirectURI || !client) return { rejected: error, ...(developer && { developer }) };
		return redirectError(redirect, client, authorizationResponseURL(redirectURI, issuer, { error }, state), error, developer);
	}
	const { request } = validated;
	const user = session && { sessionId: session.id, userId: session.userId, authTime: session.authTime, amr: session.amr };
	const consented = user && !request.client.trusted ? await findConsentedScope(db, user.userId, request.client.id) : null;
	// Only a request with acr_values can need a step-up: only then are the user's factors looked up.
	const factors = user && request.acrValues?.length ? await availableSecondFactors(db, user.userId) : undefined;
	const now = ctx.clock();
	const decision = decideAuthorization(request, user, consented, now, factors);
	switch (decision.next) {
		case 'error':
			return redirectError(
				redirect,
				request.client,
				authorizationResponseURL(request.redirectURI, issuer, { error: decision.error }, request.state),
				decision.error
			);
		case 'login': {
			// The login page comes back to this request without `prompt=login`, which it has then satisfied.
			const query = new URLSearchParams({ return_to: continuation(params, 'login') });
			if (request.prompt.has('login') || user) query.set('prompt', 'login');
			if (request.loginHint) query.set('login_hint', request.loginHint);
			return redirect(`/auth/login?${query}`);
		}
		case 'step-up': {
			// The code page steps the session up in place; a passkey is asked for by the sign-in page.
			const returnTo = continuation(params, 'login');
			if (decision.via === 'totp') return redirect(`${SECOND_FACTOR_PATH}?${new URLSearchParams({ return_to: returnTo })}`);
			return redirect(`/auth/login?${new URLSearchParams({ prompt: 'login', return_to: returnTo, notice: 'step-up' })}`);
		}
		case 'consent':
			return redirect(`/auth/consent?${new URLSearchParams({ return_to: continuation(params, 'consent') })}`);
		case 'issue-code': {
			const code = await issueAuthorizationCode(db, request, user!, now);
			return redirect(authorizationResponseURL(request.redirectURI, issuer, { code }, request.state));
		}
	}
}

/** The rule a rejected request broke, for the developer pages (request-rules.ts). */
function explainRejected(issuer: string, rejected: RejectedAuthorizationRequest): DeveloperExplanation | undefined {
	const { error, client, unverifiedRedirectClient: unverified, requestedRedirectURI } = rejected;
	const known = client ?? unverified;
	return explainRejection(error.code, error.rule, {
		issuer,
		clientId: known?.id,
		clientName: known?.name,
		requestedRedirectURI,
		registeredRedirectURIs: unverified?.redirectURIs,
		selfRegistered: known?.selfRegistered
	});
}

/** An error response to a verified redirect URI: sent at once, or first shown (RFC 9700 §4.11.2). */
function redirectError(
	redirect: (location: string) => AuthorizationOutcome,
	client: Client,
	destination: string,
	error: OAuthError,
	developer?: DeveloperExplanation
): AuthorizationOutcome {
	if (redirectsErrorsWithoutAsking(client)) return redirect(destination);
	return { confirm: { ...errorRedirectConfirmation(client, destination, error), ...(developer && { developer }) } };
}

/** This authorization request as a GET URL on our origin, minus one satisfied `prompt` value. */
export function continuation(params: URLSearchParams, satisfied: 'login' | 'consent'): string {
	const next = new URLSearchParams(params);
	// A fresh sign-in satisfies max_age too; keeping it could loop (max_age=0).
	if (satisfied === 'login') next.delete('max_age');
	const prompt = (next.get('prompt') ?? '').split(' ').filter((p) => p && p !== satisfied);
	if (prompt.length) next.set('prompt', prompt.join(' '));
	else next.delete('prompt');
	return `${ENDPOINTS.authorization}?${next}`;
}
