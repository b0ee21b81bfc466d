import { redirect } from '@sveltejs/kit';
import { availableSecondFactors } from '$lib/server/auth/available-factors';
import { SECOND_FACTOR_PATH } from '$lib/server/auth/second-factor';
import type { SessionWithUser } from '$lib/server/auth/session';
import {
	authorizationResponseURL,
	decideAuthorization,
	errorRedirectConfirmation,
	redirectsErrorsWithoutAsking,
	validateAuthorizationRequest,
	type ErrorRedirectConfirmation
} from '$lib/server/oidc/authorize';
import type { Client } from '$lib/server/oidc/clients';
import type { OAuthError } from '$lib/server/oidc/errors';
import { issueAuthorizationCode } from '$lib/server/oidc/codes';
import { findConsentedScope } from '$lib/server/oidc/consent';
import { provider } from '$lib/server/provider';
import { config } from '$lib/server/config';
import { explainRejection, type DeveloperExplanation } from '$lib/server/oidc/request-rules';
import { showRejectedRequest } from '$lib/server/rejected-request';

/**
 * OIDC Core §3.1.2: validate, then sign in / ask consent / issue a code. Ends in a redirect,
 * in an error page when the client or redirect URI could not be verified, or, for an error
 * to a self-registered client, in a page that asks before going there (RFC 9700 §4.11.2).
 */
export async function authorizationEndpoint(
	params: URLSearchParams,
	session: SessionWithUser | null,
	method: 'GET' | 'POST'
): Promise<{ confirmation: ErrorRedirectConfirmation & { developer?: DeveloperExplanation } }> {
	const { db, issuer } = await provider();
	const now = new Date();
	// RFC 6749 §4.1.2: a redirect after GET is 302; after POST, 303 turns it back into a GET.
	const status = method === 'GET' ? 302 : 303;
	const validated = await validateAuthorizationRequest(db, params);
	if ('rejected' in validated) {
		const { error: e, redirectURI, state, client, unverifiedRedirectClient: unverified, requestedRedirectURI } = validated.rejected;
		const known = client ?? unverified;
		const developer = config().developerPages
			? explainRejection(e.code, e.rule, {
					issuer,
					clientId: known?.id,
					clientName: known?.name,
					requestedRedirectURI,
					registeredRedirectURIs: unverified?.redirectURIs,
					selfRegistered: known?.selfRegistered
				})
			: undefined;
		if (!redirectURI || !client) showRejectedRequest(e, 'sign-in', developer);
		return redirectError(status, client, authorizationResponseURL(redirectURI, issuer, { error: e }, state), e, developer);
	}
	const { request } = validated;
	const user = session && { sessionId: session.id, userId: session.userId, authTime: session.authTime, amr: session.amr };
	const consented = user && !request.client.trusted ? await findConsentedScope(db, user.userId, request.client.id) : null;
	// Only a request with acr_values can need a step-up: only then are the user's factors looked up.
	const factors = user && request.acrValues?.length ? await availableSecondFactors(db, user.userId) : undefined;
	const decision = decideAuthorization(request, user, consented, now, factors);
	switch (decision.next) {
		case 'error':
			return redirectError(status, request.client, authorizationResponseURL(request.redirectURI, issuer, { error: decision.error }, request.state), decision.error);
		case 'login': {
			// The login page comes back to this request without `prompt=login`, which it has then satisfied.
			const query = new URLSearchParams({ return_to: continuation(params, 'login') });
			if (request.prompt.has('login') || user) query.set('prompt', 'login');
			if (request.loginHint) query.set('login_hint', request.loginHint);
			redirect(status, `/auth/login?${query}`);
		}
		case 'step-up': {
			// The code page steps the session up in place; a passkey is asked for by the sign-in page.
			const returnTo = continuation(params, 'login');
			if (decision.via === 'totp') redirect(status, `${SECOND_FACTOR_PATH}?${new URLSearchParams({ return_to: returnTo })}`);
			redirect(status, `/auth/login?${new URLSearchParams({ prompt: 'login', return_to: returnTo, notice: 'step-up' })}`);
		}
		case 'consent':
			redirect(status, `/auth/consent?${new URLSearchParams({ return_to: continuation(params, 'consent') })}`);
		case 'issue-code': {
			const code = await issueAuthorizationCode(db, request, user!, now);
			redirect(status, authorizationResponseURL(request.redirectURI, issuer, { code }, request.state));
		}
	}
}

function redirectError(
	status: 302 | 303,
	client: Client,
	destination: string,
	error: OAuthError,
	developer?: DeveloperExplanation
): { confirmation: ErrorRedirectConfirmation & { developer?: DeveloperExplanation } } {
	if (redirectsErrorsWithoutAsking(client)) redirect(status, destination);
	return { confirmation: { ...errorRedirectConfirmation(client, destination, error), ...(developer && { developer }) } };
}

/** This authorization request as a GET URL on our origin, minus one satisfied `prompt` value. */
export function continuation(params: URLSearchParams, satisfied: 'login' | 'consent'): string {
	const next = new URLSearchParams(params);
	// A fresh sign-in satisfies max_age too; keeping it could loop (max_age=0).
	if (satisfied === 'login') next.delete('max_age');
	const prompt = (next.get('prompt') ?? '').split(' ').filter((p) => p && p !== satisfied);
	if (prompt.length) next.set('prompt', prompt.join(' '));
	else next.delete('prompt');
	return `/api/auth/authorize?${next}`;
}
