import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import type { SessionWithUser } from '$lib/server/auth/session';
import { deleteSessionCookie } from '$lib/server/auth/cookies';
import { validateEndSessionRequest } from '$lib/server/oidc/end-session';
import { displayClientName } from '$lib/server/oidc/client-names';
import { endProviderSession } from '$lib/server/oidc/logout';
import { provider } from '$lib/server/provider';
import type { Cookies } from '@sveltejs/kit';
import { formParameters, showRejectedRequest } from '$lib/server/rejected-request';

/**
 * RP-Initiated Logout 1.0 end_session_endpoint. With a valid `id_token_hint` for the signed-in
 * user, signs out at once; otherwise the user is asked first (a logout link anyone can send
 * must not sign people out unasked).
 */
async function endSession(query: URLSearchParams, session: SessionWithUser | null, cookies: Cookies, secure: boolean, status: 302 | 303) {
	const { db, keys, issuer } = await provider();
	const result = await validateEndSessionRequest(db, keys, issuer, query);
	if ('error' in result) showRejectedRequest(result.error);
	const { hint, client, redirectTo } = result.request;
	if (session && hint?.sub === session.userId) {
		await endProviderSession(db, keys, issuer, session);
		deleteSessionCookie(cookies, secure);
	} else if (session) {
		return { clientName: client ? displayClientName(client.name) : null, clientUnverified: client?.selfRegistered ?? false, logoutRequest: query.toString() };
	}
	redirect(status, redirectTo ?? '/auth/logout/done');
}

export const load: PageServerLoad = ({ url, locals, cookies }) =>
	endSession(url.searchParams, locals.session, cookies, url.protocol === 'https:', 302);

export const actions: Actions = {
	// §2: the endpoint accepts POST too; a POST without a usable hint is shown the same question.
	default: async ({ request, locals, cookies, url }) => {
		const params = await formParameters(request);
		const outcome = await endSession(params, locals.session, cookies, url.protocol === 'https:', 303);
		redirect(303, `/api/auth/end-session?${outcome.logoutRequest}`);
	}
};
