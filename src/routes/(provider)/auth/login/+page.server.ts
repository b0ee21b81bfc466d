import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { safeReturnTo } from '$lib/server/auth/return-to';
import { signInOrAskSecondFactor } from '$lib/server/auth/second-factor-sign-in';
import { signInOrigin } from '$lib/server/auth/sign-in-origin';
import { recordFailedSignIn } from '$lib/server/auth/failed-sign-in-log';
import { rateLimitedMessage, signInWithPassword } from '$lib/server/auth/password-sign-in';
import { loginNotice } from '$lib/server/auth/notices';
import { newSubmissionId, parseSubmissionId } from '$lib/server/auth/sign-in-submission';
import { config } from '$lib/server/config';
import { upstreamButtons } from '$lib/server/config-upstreams';
import { database } from '$lib/server/db/instance';
import { requestingClient } from '$lib/server/oidc/requesting-client';
import { provider } from '$lib/server/provider';
import { allowImagesFrom } from '$lib/server/content-security-policy';

export const load: PageServerLoad = async ({ locals, url }) => {
	const returnTo = safeReturnTo(url.searchParams.get('return_to'));
	// prompt=login (or an expired max_age) asks for a fresh sign-in even with a session.
	const reauthenticate = url.searchParams.get('prompt') === 'login';
	if (locals.session && !reauthenticate) redirect(303, returnTo ?? '/account');
	const { db, issuer } = await provider();
	const requestingApp = await requestingClient(db, issuer, returnTo);
	allowImagesFrom(locals, requestingApp?.logoURI);
	return {
		returnTo,
		reauthenticate,
		submission: newSubmissionId(),
		email: url.searchParams.get('login_hint') ?? locals.session?.user.email ?? '',
		notice: loginNotice(url.searchParams.get('notice')),
		upstreams: upstreamButtons(config().upstreams, returnTo),
		requestingApp,
		signedInAs: locals.session ? { name: locals.session.user.name, email: locals.session.user.email } : null
	};
};

export const actions: Actions = {
	default: async ({ request, cookies, locals, url, getClientAddress }) => {
		const form = await request.formData();
		const email = String(form.get('email') ?? '').trim();
		const password = String(form.get('password') ?? '');
		const returnTo = safeReturnTo(form.get('return_to'));
		const errors: { email?: string; password?: string } = {};
		if (!email) errors.email = 'Enter your email address.';
		if (!password) errors.password = 'Enter your password.';
		if (errors.email || errors.password) return fail(400, { email, errors, message: null, offerReset: false });
		const { db } = await database();
		const result = await signInWithPassword(db, { email, password, clientAddress: getClientAddress() }, config().limits.signIn);
		if ('failure' in result) {
			await recordFailedSignIn(db, email, result.failure, signInOrigin({ request, getClientAddress }));
			// Held back: the way out is a reset, which also lifts the hold on the account.
			if (result.failure === 'rate-limited') return fail(429, { email, errors, message: rateLimitedMessage(result.retryAfterSeconds), offerReset: true });
			return fail(400, { email, errors, message: 'Email or password is incorrect.', offerReset: false });
		}
		const { user } = result;
		// A double-clicked form sends the same submission id twice: the repeat replaces the session the first made.
		const signIn = {
			userId: user.id,
			amr: 'pwd',
			method: 'password',
			origin: signInOrigin({ request, getClientAddress }),
			replacing: locals.session?.id,
			submission: parseSubmissionId(form.get('submission'))
		};
		redirect(303, await signInOrAskSecondFactor(db, cookies, url.protocol === 'https:', signIn, returnTo, config().twoFactorPendingSeconds));
	}
};
