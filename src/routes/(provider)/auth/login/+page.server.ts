import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { setSessionCookie } from '$lib/server/auth/cookies';
import { safeReturnTo } from '$lib/server/auth/return-to';
import { completeSignIn } from '$lib/server/auth/sign-in-completion';
import { signInOrigin } from '$lib/server/auth/sign-in-origin';
import { recordFailedSignIn } from '$lib/server/auth/failed-sign-in-log';
import { rateLimitedMessage, signInWithPassword, type SignInResult } from '$lib/server/auth/password-sign-in';
import type { User } from '$lib/server/auth/user';
import { loginNotice } from '$lib/server/auth/notices';
import { newSubmissionId, parseSubmissionId, repeatedSignIns } from '$lib/server/auth/repeated-sign-in';
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
		// A double-clicked form: the repeats run in order and the last one's session is the only one left.
		const outcome = await repeatedSignIns.run<Exclude<SignInResult, { user: User }> | Awaited<ReturnType<typeof completeSignIn>>>(parseSubmissionId(form.get('submission')), async (earlier) => {
			const result = await signInWithPassword(db, { email, password, clientAddress: getClientAddress() }, config().limits.signIn);
			if ('failure' in result) return { result, made: null };
			const { user } = result;
			const replacing = earlier?.userId === user.id ? earlier.sessionId : locals.session?.id;
			const signedIn = await completeSignIn(db, { userId: user.id, amr: 'pwd', method: 'password', origin: signInOrigin({ request, getClientAddress }), replacing });
			return { result: signedIn, made: { userId: user.id, sessionId: signedIn.session.id } };
		});
		if ('failure' in outcome) {
			await recordFailedSignIn(db, email, outcome.failure, signInOrigin({ request, getClientAddress }));
			// Held back: the way out is a reset, which also lifts the hold on the account.
			if (outcome.failure === 'rate-limited') return fail(429, { email, errors, message: rateLimitedMessage(outcome.retryAfterSeconds), offerReset: true });
			return fail(400, { email, errors, message: 'Email or password is incorrect.', offerReset: false });
		}
		setSessionCookie(cookies, outcome.token, outcome.session.expiresAt, url.protocol === 'https:');
		redirect(303, returnTo ?? '/account');
	}
};
