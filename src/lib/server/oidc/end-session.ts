import { findClient, type Client } from './clients';
import { InvalidRequest, OAuthError } from './errors';
import { singleValued } from './http';
import type { ProtocolContext } from './context';
import { isRegisteredPostLogoutRedirect, verifyIDTokenHint, type IDTokenHint } from './logout';

/** A checked RP-Initiated Logout 1.0 request. */
export interface EndSessionRequest {
	hint: IDTokenHint | null;
	client: Client | null;
	/** Where to send the browser afterwards (registered URI + `state`), if anywhere. */
	redirectTo: string | null;
}

/**
 * RP-Initiated Logout 1.0 §2-3: validates `id_token_hint`, `client_id`,
 * `post_logout_redirect_uri` and `state`. A redirect target is accepted only when it is
 * registered for the client the request identifies; otherwise there is no redirect at all.
 */
export async function validateEndSessionRequest(
	ctx: Pick<ProtocolContext, 'db' | 'keys' | 'issuer'>,
	query: URLSearchParams
): Promise<{ request: EndSessionRequest } | { error: OAuthError }> {
	let params: Map<string, string>;
	try {
		params = singleValued(query);
	} catch (error) {
		return { error: error as OAuthError };
	}
	const hintParam = params.get('id_token_hint');
	const hint = hintParam ? await verifyIDTokenHint(ctx, hintParam) : null;
	if (hintParam && !hint) return { error: new InvalidRequest('id_token_hint is not an ID token issued by this provider') };
	const clientId = params.get('client_id') ?? hint?.aud[0];
	if (hint && clientId && !hint.aud.includes(clientId)) return { error: new InvalidRequest('client_id does not match the id_token_hint') };
	const client = clientId ? ((await findClient(ctx.db, clientId)) ?? null) : null;
	if (clientId && !client) return { error: new InvalidRequest(`unknown client_id "${clientId}"`) };
	const postLogout = params.get('post_logout_redirect_uri');
	let redirectTo: string | null = null;
	if (postLogout) {
		if (!client) return { error: new InvalidRequest('post_logout_redirect_uri needs client_id or id_token_hint to identify the client') };
		if (!isRegisteredPostLogoutRedirect(client, postLogout)) {
			return { error: new InvalidRequest(`post_logout_redirect_uri "${postLogout}" is not registered for this client`) };
		}
		const url = new URL(postLogout);
		const state = params.get('state');
		if (state !== undefined) url.searchParams.set('state', state);
		redirectTo = url.href;
	}
	return { request: { hint, client, redirectTo } };
}

/** What the end_session_endpoint does with a checked request. */
export type EndSessionDecision =
	/** The hint proves the request is about THIS session: sign out, then go to `redirectTo` (or our "signed out" page). */
	| { next: 'sign-out'; redirectTo: string | null }
	/** Signed in, but nothing proves the request is about this session: ask first. */
	| { next: 'confirm-sign-out' }
	/** Nobody signed in; a valid hint from a client the operator registered: go back to it. */
	| { next: 'redirect'; to: string }
	/** Nobody signed in; no reason to trust the destination: name it and let the user choose. */
	| { next: 'confirm-redirect'; to: string }
	/** Nobody signed in and nowhere to go. */
	| { next: 'done' };

/**
 * RP-Initiated Logout 1.0 §2 and §6 (a logout link anyone can send must not sign people out
 * unasked) and RFC 9700 §4.11.2 (no automatic redirect to a client the provider has no reason
 * to trust). A hint counts as the reason to sign out without asking only when it was issued
 * for the current provider session (`sid`) and user (`sub`): an ID token from an ended
 * session, sent through a cross-site link, must not end a newer one.
 */
export function decideEndSession(request: EndSessionRequest, session: { id: string; userId: string } | null): EndSessionDecision {
	const { hint, client, redirectTo } = request;
	if (session) {
		const hintForThisSession = hint !== null && hint.sub === session.userId && hint.sid === session.id;
		return hintForThisSession ? { next: 'sign-out', redirectTo } : { next: 'confirm-sign-out' };
	}
	if (!redirectTo) return { next: 'done' };
	// Without a hint anyone can name any client's registered URI; a self-registered client's
	// URI is wherever its registrant wants it.
	if (hint && client && !client.selfRegistered) return { next: 'redirect', to: redirectTo };
	return { next: 'confirm-redirect', to: redirectTo };
}
