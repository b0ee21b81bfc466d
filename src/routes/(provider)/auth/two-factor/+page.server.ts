import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad, RequestEvent } from './$types';
import { parseAmr, withSecondFactor } from '$lib/server/auth/authentication-strength';
import { setSessionCookie } from '$lib/server/auth/cookies';
import { safeReturnTo } from '$lib/server/auth/return-to';
import { checkSecondFactor, findPendingSecondFactor, finishSecondFactor, tooManyCodesMessage } from '$lib/server/auth/second-factor';
import { deleteSecondFactorCookie, readSecondFactorCookie } from '$lib/server/auth/second-factor-sign-in';
import { completeSignIn, completeStepUp } from '$lib/server/auth/sign-in-completion';
import { signInOrigin } from '$lib/server/auth/sign-in-origin';
import { hasConfirmedTOTP } from '$lib/server/auth/totp-credentials';
import { config } from '$lib/server/config';
import { allowImagesFrom } from '$lib/server/content-security-policy';
import { requestingClient } from '$lib/server/oidc/requesting-client';
import { provider } from '$lib/server/provider';

// The second step of a sign-in (a pending sign-in named by this browser's cookie), or a
// step-up for a signed-in user whom an application asked for two-step verification
// (`acr_values`, OIDC Core §3.1.2.1): the authorization request is `return_to`.

const EXPIRED = '/auth/login?notice=two-factor-expired';

/** What this browser is here for: finishing a sign-in, or stepping up its session; else away. */
async function purpose({ cookies, url, locals }: Pick<RequestEvent, 'cookies' | 'url' | 'locals'>, returnToInput: unknown) {
	const secure = url.protocol === 'https:';
	const { db } = await provider();
	const token = readSecondFactorCookie(cookies, secure);
	const pending = await findPendingSecondFactor(db, token);
	if (pending) return { mode: 'sign-in' as const, token, pending, userId: pending.userId, email: pending.email, returnTo: pending.returnTo, secure };
	if (token) deleteSecondFactorCookie(cookies, secure);
	const returnTo = safeReturnTo(returnToInput);
	const session = locals.session;
	if (session && (await hasConfirmedTOTP(db, session.userId)))
		return { mode: 'step-up' as const, session, userId: session.userId, email: session.user.email, returnTo, secure };
	redirect(303, session ? (returnTo ?? '/account') : EXPIRED);
}

export const load: PageServerLoad = async (event) => {
	const here = await purpose(event, event.url.searchParams.get('return_to'));
	const { db, issuer } = await provider();
	const requestingApp = await requestingClient(db, issuer, here.returnTo);
	// The page's CSP admits exactly this app's logo (content-security-policy.ts).
	allowImagesFrom(event.locals, requestingApp?.logoURI);
	return {
		mode: here.mode,
		email: here.email,
		returnTo: here.mode === 'step-up' ? here.returnTo : null,
		requestingApp
	};
};

export const actions: Actions = {
	default: async (event) => {
		const form = await event.request.formData();
		const here = await purpose(event, form.get('return_to'));
		const field = form.get('kind') === 'recovery' ? ('recovery' as const) : ('code' as const);
		const code = String(form.get('code') ?? '').trim();
		if (!code)
			return fail(400, { field, error: field === 'recovery' ? 'Enter one of your recovery codes.' : 'Enter the 6-digit code from your authenticator app.' });
		const { db, totpEncryptionKey } = await provider();
		const origin = signInOrigin(event);
		const checked = await checkSecondFactor(
			db,
			{ userId: here.userId, code, origin },
			{ limit: config().limits.secondFactor, encryptionKey: totpEncryptionKey }
		);
		if ('failure' in checked) {
			if (checked.failure === 'rate-limited') return fail(429, { field, error: tooManyCodesMessage(checked.retryAfterSeconds) });
			return fail(400, {
				field,
				error:
					field === 'recovery'
						? 'That recovery code is not right, or was already used.'
						: 'That code is not right, or was already used. Wait for the next code and try again.'
			});
		}
		if (here.mode === 'step-up') {
			const amr = withSecondFactor(parseAmr(here.session.amr), 'otp').join(' ');
			await completeStepUp(db, { sessionId: here.session.id, userId: here.userId, amr, origin });
			redirect(303, here.returnTo ?? '/account');
		}
		// Used up here: a second tab finishing the same sign-in gets no second session.
		const finished = await finishSecondFactor(db, here.token);
		deleteSecondFactorCookie(event.cookies, here.secure);
		if (!finished) redirect(303, EXPIRED);
		const amr = withSecondFactor(parseAmr(finished.amr), 'otp').join(' ');
		const { token, session } = await completeSignIn(db, { userId: finished.userId, amr, method: finished.method, origin, replacing: event.locals.session?.id });
		setSessionCookie(event.cookies, token, session.expiresAt, here.secure);
		redirect(303, finished.returnTo ?? '/account');
	}
};
