import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { changePassword } from '$lib/server/auth/account-settings';
import { accountHasPassword } from '$lib/server/auth/email-change';
import { isRecentAuthentication, reauthenticationPath } from '$lib/server/auth/recent-auth';
import { recordSecurityEvent } from '$lib/server/auth/security-log';
import { signInOrigin } from '$lib/server/auth/sign-in-origin';
import { PASSWORD_MIN_LENGTH } from '$lib/server/auth/user';
import { config } from '$lib/server/config';
import { mailer } from '$lib/server/mail/instance';
import { signOutElsewhereAfterPasswordChange } from '$lib/server/oidc/account-settings';
import { provider } from '$lib/server/provider';

const HERE = '/account/password';

export const load: PageServerLoad = async ({ locals }) => {
	const session = locals.session;
	if (!session) redirect(303, `/auth/login?return_to=${encodeURIComponent(HERE)}`);
	// Asked before the form is filled in, so nobody types two passwords only to be sent away.
	if (!isRecentAuthentication(session.authTime, config().recentAuthSeconds)) redirect(303, reauthenticationPath(HERE));
	const { db } = await provider();
	return { email: session.user.email, hasPassword: await accountHasPassword(db, session.userId), minLength: PASSWORD_MIN_LENGTH };
};

export const actions: Actions = {
	default: async ({ request, locals, url, getClientAddress }) => {
		const session = locals.session;
		if (!session) redirect(303, `/auth/login?return_to=${encodeURIComponent(HERE)}`);
		const form = await request.formData();
		const ctx = await provider();
		const { db, issuer } = ctx;
		const { limits, recentAuthSeconds } = config();
		const outcome = await changePassword(
			db,
			{ userId: session.userId, authTime: session.authTime, clientAddress: getClientAddress() },
			{ currentPassword: form.get('current_password'), newPassword: form.get('new_password') },
			{ issuer, mailer: await mailer(), signInLimits: limits.signIn, recentAuthSeconds, serviceNames: [url.hostname] }
		);
		if (outcome.status === 'sign-in-again') redirect(303, reauthenticationPath(HERE));
		if (outcome.status === 'invalid') return fail(400, { errors: outcome.errors, message: null });
		if (outcome.status === 'rate-limited') return fail(429, { errors: {}, message: outcome.message });
		await recordSecurityEvent(
			db,
			session.userId,
			outcome.kind === 'set' ? 'password-set' : 'password-changed',
			{},
			signInOrigin({ request, getClientAddress })
		);
		await signOutElsewhereAfterPasswordChange(ctx, { userId: session.userId, currentSessionId: session.id }, { outbound: ctx.outbound });
		redirect(303, `/account?notice=password-${outcome.kind}`);
	}
};
