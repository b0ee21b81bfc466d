import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { deleteSessionCookie } from '$lib/server/auth/cookies';
import { validateEndSessionRequest } from '$lib/server/oidc/end-session';
import { applicationsSignedOutWith, endProviderSession } from '$lib/server/oidc/logout';
import { provider } from '$lib/server/provider';
import { showRejectedRequest } from '$lib/server/rejected-request';

export const load: PageServerLoad = async ({ locals }) => {
	if (!locals.session) redirect(303, '/auth/login');
	const { db } = await provider();
	return { applications: await applicationsSignedOutWith(db, locals.session.id) };
};

export const actions: Actions = {
	/** Sign-out at the provider: ends the session here and, by back-channel, at the clients. */
	default: async ({ request, locals, cookies, url }) => {
		const ctx = await provider();
		const form = await request.formData();
		// Set when the user confirms an RP-initiated logout (/api/auth/end-session).
		const logoutRequest = form.get('logout_request');
		// The top bar's Sign out (a plain POST here) lands on a page that says it worked.
		let redirectTo = '/auth/logout/done';
		if (typeof logoutRequest === 'string') {
			const result = await validateEndSessionRequest(ctx, new URLSearchParams(logoutRequest));
			if ('error' in result) showRejectedRequest(result.error, 'sign-out');
			redirectTo = result.request.redirectTo ?? '/auth/logout/done';
		}
		if (locals.session) await endProviderSession(ctx, locals.session, { outbound: ctx.outbound });
		deleteSessionCookie(cookies, url.protocol === 'https:');
		redirect(303, redirectTo);
	}
};
