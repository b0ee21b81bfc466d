import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import type { SessionWithUser } from '$lib/server/auth/session';
import { deleteSessionCookie } from '$lib/server/auth/cookies';
import { decideEndSession, validateEndSessionRequest } from '$lib/server/oidc/end-session';
import { displayClientName } from '$lib/server/oidc/client-names';
import { applicationsSignedOutWith, endProviderSession } from '$lib/server/oidc/logout';
import { provider } from '$lib/server/provider';
import type { Cookies } from '@sveltejs/kit';
import { formParameters, showRejectedRequest } from '$lib/server/rejected-request';

/**
 * RP-Initiated Logout 1.0 end_session_endpoint. With a valid `id_token_hint` for the current
 * session, signs out at once; otherwise the user is asked first (a logout link anyone can send
 * must not sign people out unasked), and, when nobody is signed in, is shown where the client
 * wants them to go rather than sent there (decideEndSession).
 */
async function endSession(query: URLSearchParams, session: SessionWithUser | null, cookies: Cookies, secure: boolean, status: 302 | 303) {
	const ctx = await provider();
	const result = await validateEndSessionRequest(ctx, query);
	if ('error' in result) showRejectedRequest(result.error, 'sign-out');
	const { client } = result.request;
	const decision = decideEndSession(result.request, session);
	const page = {
		clientName: client ? displayClientName(client.name) : null,
		unverifiedClient: client?.selfRegistered ?? false,
		logoutRequest: query.toString()
	};
	switch (decision.next) {
		case 'sign-out':
			await endProviderSession(ctx, session!, { outbound: ctx.outbound });
			deleteSessionCookie(cookies, secure);
			redirect(status, decision.redirectTo ?? '/auth/logout/done');
		case 'confirm-sign-out': {
			const to = result.request.redirectTo;
			const applications = await applicationsSignedOutWith(ctx.db, session!.id);
			return { ...page, ask: 'sign-out' as const, applications, destination: to ? { url: to, host: new URL(to).host } : null };
		}
		case 'redirect':
			redirect(status, decision.to);
		case 'confirm-redirect':
			return { ...page, ask: 'leave' as const, destination: { url: decision.to, host: new URL(decision.to).host } };
		case 'done':
			redirect(status, '/auth/logout/done');
	}
}

export const load: PageServerLoad = ({ url, locals, cookies }) => endSession(url.searchParams, locals.session, cookies, url.protocol === 'https:', 302);

export const actions: Actions = {
	// §2: the endpoint accepts POST too; a POST without a usable hint is shown the same question.
	default: async ({ request, locals, cookies, url }) => {
		const params = await formParameters(request, 'sign-out');
		const outcome = await endSession(params, locals.session, cookies, url.protocol === 'https:', 303);
		redirect(303, `/api/auth/end-session?${outcome.logoutRequest}`);
	}
};
