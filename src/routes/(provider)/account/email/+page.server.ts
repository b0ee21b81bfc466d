import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { accountHasPassword, EMAIL_CHANGE_LINK_TTL_SECONDS, requestEmailChange } from '$lib/server/auth/email-change';
import { isRecentAuthentication, reauthenticationPath } from '$lib/server/auth/recent-auth';
import { config } from '$lib/server/config';
import { database } from '$lib/server/db/instance';
import { mailer } from '$lib/server/mail/instance';

const HERE = '/account/email';

export const load: PageServerLoad = async ({ locals }) => {
	const session = locals.session;
	if (!session) redirect(303, `/auth/login?return_to=${encodeURIComponent(HERE)}`);
	// Asked before the form is filled in, so nobody types an address only to be sent away.
	if (!isRecentAuthentication(session.authTime, config().recentAuthSeconds)) redirect(303, reauthenticationPath(HERE));
	const { db } = await database();
	return {
		currentEmail: session.user.email,
		hasPassword: await accountHasPassword(db, session.userId),
		mailAvailable: (await mailer()) !== null,
		validMinutes: EMAIL_CHANGE_LINK_TTL_SECONDS / 60
	};
};

export const actions: Actions = {
	default: async ({ request, locals, getClientAddress }) => {
		const session = locals.session;
		if (!session) redirect(303, `/auth/login?return_to=${encodeURIComponent(HERE)}`);
		const form = await request.formData();
		const email = String(form.get('email') ?? '')
			.trim()
			.slice(0, 254);
		const send = await mailer();
		if (!send) return fail(503, { email, errors: {}, message: 'This server cannot send mail (SMTP_URL is not set), so the new address cannot be confirmed.' });
		const { db } = await database();
		const { issuer, accountMail, limits, recentAuthSeconds } = config();
		const outcome = await requestEmailChange(
			db,
			{ userId: session.userId, email: session.user.email, authTime: session.authTime, clientAddress: getClientAddress() },
			{ newEmail: email, password: form.get('password') },
			{ issuer, mailer: send, limits: accountMail, signInLimits: limits.signIn, recentAuthSeconds }
		);
		if (outcome.status === 'invalid') return fail(400, { email, errors: outcome.errors, message: null });
		if (outcome.status === 'rate-limited') return fail(429, { email, errors: {}, message: outcome.message });
		if (outcome.status === 'sign-in-again') redirect(303, reauthenticationPath(HERE));
		redirect(303, `${HERE}/sent?to=${encodeURIComponent(outcome.newEmail)}`);
	}
};
