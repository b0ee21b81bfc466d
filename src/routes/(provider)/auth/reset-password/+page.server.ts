import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { deleteSessionCookie } from '$lib/server/auth/cookies';
import { findPasswordResetLink, resetPassword } from '$lib/server/auth/password-reset';
import { recordSecurityEvent } from '$lib/server/auth/security-log';
import { signInOrigin } from '$lib/server/auth/sign-in-origin';
import { config } from '$lib/server/config';
import { database } from '$lib/server/db/instance';
import { mailer } from '$lib/server/mail/instance';
import { endAllSessionsOfUser } from '$lib/server/oidc/logout';
import { provider } from '$lib/server/provider';

// The token is in the URL: no cache may keep the page (the provider's Referrer-Policy,
// same-origin, keeps it from other origins).
const NO_STORE = { 'cache-control': 'no-store' };

export const load: PageServerLoad = async ({ url, setHeaders }) => {
	setHeaders(NO_STORE);
	const token = url.searchParams.get('token') ?? '';
	const { db } = await database();
	const link = await findPasswordResetLink(db, token);
	return link ? { valid: true as const, token, email: link.email } : { valid: false as const };
};

export const actions: Actions = {
	default: async ({ request, locals, cookies, url, getClientAddress }) => {
		// The page the action renders runs load, which sets Cache-Control (setting it twice throws).
		const form = await request.formData();
		const send = await mailer();
		const { db, outbound } = await provider();
		if (!send) return fail(503, { linkInvalid: false, errors: { password: 'This server cannot send mail right now; try again later.' } });
		const outcome = await resetPassword(
			db,
			{ token: form.get('token'), password: form.get('password'), serviceNames: [url.hostname] },
			{ issuer: config().issuer, mailer: send }
		);
		if (outcome.status === 'invalid-link') return fail(400, { linkInvalid: true, errors: {} });
		if (outcome.status === 'refused') return fail(400, { linkInvalid: false, errors: { password: outcome.message } });
		await recordSecurityEvent(db, outcome.user.id, 'password-reset', {}, signInOrigin({ request, getClientAddress }));
		// Every session ends, this browser's too, and the relying parties hear of each (back-channel logout).
		await endAllSessionsOfUser(await provider(), outcome.user.id, { outbound });
		if (locals.session?.userId === outcome.user.id) deleteSessionCookie(cookies, url.protocol === 'https:');
		const next = new URLSearchParams({ notice: 'password-changed', login_hint: outcome.user.email });
		if (outcome.returnTo) next.set('return_to', outcome.returnTo);
		redirect(303, `/auth/login?${next}`);
	}
};
