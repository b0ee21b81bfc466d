import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { requestPasswordReset } from '$lib/server/auth/password-reset';
import { safeReturnTo } from '$lib/server/auth/return-to';
import { config } from '$lib/server/config';
import { database } from '$lib/server/db/instance';
import { mailer } from '$lib/server/mail/instance';

export const load: PageServerLoad = async ({ url }) => ({
	email: url.searchParams.get('email')?.slice(0, 254) ?? '',
	returnTo: safeReturnTo(url.searchParams.get('return_to')),
	mailAvailable: (await mailer()) !== null
});

export const actions: Actions = {
	default: async ({ request, getClientAddress }) => {
		const form = await request.formData();
		const email = String(form.get('email') ?? '')
			.trim()
			.slice(0, 254);
		const returnTo = safeReturnTo(form.get('return_to'));
		const send = await mailer();
		if (!send)
			return fail(503, {
				email,
				errors: {},
				message: 'This server cannot send mail (SMTP_URL is not set), so it cannot send reset links. Ask the people who run it to reset your password.'
			});
		const { db } = await database();
		const { issuer, accountMail } = config();
		const outcome = await requestPasswordReset(db, { email, clientAddress: getClientAddress(), returnTo }, { issuer, mailer: send, limits: accountMail });
		if (outcome.status === 'invalid-email') return fail(400, { email, errors: { email: 'Enter an email address like name@example.com.' }, message: null });
		if (outcome.status === 'rate-limited') {
			const minutes = Math.ceil(outcome.retryAfterSeconds / 60);
			return fail(429, { email, errors: {}, message: `Too many reset requests from your network. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.` });
		}
		const sent = new URLSearchParams({ email: outcome.email });
		if (returnTo) sent.set('return_to', returnTo);
		redirect(303, `/auth/forgot-password/sent?${sent}`);
	}
};
