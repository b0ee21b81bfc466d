import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { reserveForAddress } from '$lib/server/auth/client-address';
import { setSessionCookie } from '$lib/server/auth/cookies';
import { safeReturnTo } from '$lib/server/auth/return-to';
import { createSession, invalidateSession } from '$lib/server/auth/session';
import { createUser, parseSignUp } from '$lib/server/auth/user';
import { config } from '$lib/server/config';
import { upstreamButtons } from '$lib/server/config-upstreams';
import { database } from '$lib/server/db/instance';

export const load: PageServerLoad = ({ url }) => {
	const returnTo = safeReturnTo(url.searchParams.get('return_to'));
	return { returnTo, upstreams: upstreamButtons(config().upstreams, returnTo) };
};

export const actions: Actions = {
	default: async ({ request, cookies, locals, url, getClientAddress }) => {
		const form = await request.formData();
		const fields = { name: String(form.get('name') ?? ''), email: String(form.get('email') ?? '') };
		const returnTo = safeReturnTo(form.get('return_to'));
		const parsed = parseSignUp({ ...fields, password: form.get('password') }, [url.hostname]);
		if ('errors' in parsed) return fail(400, { ...fields, errors: parsed.errors });
		const { db } = await database();
		const allowed = await reserveForAddress(db, 'sign-up', getClientAddress(), config().limits.signUp);
		if (!allowed.admitted) {
			const minutes = Math.ceil(allowed.retryAfterSeconds / 60);
			return fail(429, { ...fields, errors: {}, message: `Too many sign-ups from your network. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.` });
		}
		const user = await createUser(db, parsed.value);
		if (!user) return fail(400, { ...fields, errors: { email: 'An account with this email already exists. Sign in instead.' } });
		if (locals.session) await invalidateSession(db, locals.session.id);
		const { token, session } = await createSession(db, user.id);
		setSessionCookie(cookies, token, session.expiresAt, url.protocol === 'https:');
		redirect(303, returnTo ?? '/account');
	}
};
