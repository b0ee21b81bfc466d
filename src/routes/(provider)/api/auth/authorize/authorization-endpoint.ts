import { redirect } from '@sveltejs/kit';
import type { SessionWithUser } from '$lib/server/auth/session';
import { authorizationResponseURL, decideAuthorization, validateAuthorizationRequest } from '$lib/server/oidc/authorize';
import { issueAuthorizationCode } from '$lib/server/oidc/codes';
import { findConsentedScope } from '$lib/server/oidc/consent';
import { provider } from '$lib/server/provider';
import { showRejectedRequest } from '$lib/server/rejected-request';

/**
 * OIDC Core §3.1.2: validate, then sign in / ask consent / issue a code. Always ends in a
 * redirect, or in an error page when the client or redirect URI could not be verified.
 */
export async function authorizationEndpoint(params: URLSearchParams, session: SessionWithUser | null, method: 'GET' | 'POST'): Promise<never> {
	const { db, issuer } = await provider();
	const now = new Date();
	// RFC 6749 §4.1.2: a redirect after GET is 302; after POST, 303 turns it back into a GET.
	const status = method === 'GET' ? 302 : 303;
	const validated = await validateAuthorizationRequest(db, params);
	if ('rejected' in validated) {
		const { error: e, redirectURI, state } = validated.rejected;
		if (!redirectURI) showRejectedRequest(e);
		redirect(status, authorizationResponseURL(redirectURI, issuer, { error: e }, state));
	}
	const { request } = validated;
	const user = session && { sessionId: session.id, userId: session.userId, authTime: session.authTime };
	const consented = user && !request.client.trusted ? await findConsentedScope(db, user.userId, request.client.id) : null;
	const decision = decideAuthorization(request, user, consented, now);
	switch (decision.next) {
		case 'error':
			redirect(status, authorizationResponseURL(request.redirectURI, issuer, { error: decision.error }, request.state));
		case 'login': {
			// The login page comes back to this request without `prompt=login`, which it has then satisfied.
			const query = new URLSearchParams({ return_to: continuation(params, 'login') });
			if (request.prompt.has('login') || user) query.set('prompt', 'login');
			if (request.loginHint) query.set('login_hint', request.loginHint);
			redirect(status, `/auth/login?${query}`);
		}
		case 'consent':
			redirect(status, `/auth/consent?${new URLSearchParams({ return_to: continuation(params, 'consent') })}`);
		case 'issue-code': {
			const code = await issueAuthorizationCode(db, request, user!, now);
			redirect(status, authorizationResponseURL(request.redirectURI, issuer, { code }, request.state));
		}
	}
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
