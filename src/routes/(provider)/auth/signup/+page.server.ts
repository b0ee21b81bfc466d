import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { reserveForAddress } from '$lib/server/auth/client-address';
import { safeReturnTo } from '$lib/server/auth/return-to';
import { MAIL_OFF_MESSAGE, requestSignUp } from '$lib/server/auth/sign-up';
import { parseSignUp } from '$lib/server/auth/user';
import { config } from '$lib/server/config';
import { upstreamButtons } from '$lib/server/config-upstreams';
import { database } from '$lib/server/db/instance';
import { mailer } from '$lib/server/mail/instance';

export const load: PageServerLoad = async ({ url }) => {
	const returnTo = safeReturnTo(url.searchParams.get('return_to'));
	return { returnTo, upstreams: upstreamButtons(config().upstreams, returnTo), mailOff: (await mailer()) === null ? MAIL_OFF_MESSAGE : null };
};

export const actions: Actions = {
	default: async ({ request, url, getClientAddress }) => {
		const form = await request.formData();
		const fields = { name: String(form.get('name') ?? ''), email: String(form.get('email') ?? '') };
		const returnTo = safeReturnTo(form.get('return_to'));
		const mail = await mailer();
		if (!mail) return fail(503, { ...fields, errors: {}, message: MAIL_OFF_MESSAGE });
		const parsed = parseSignUp({ ...fields, password: form.get('password') }, [url.hostname]);
		if ('errors' in parsed) return fail(400, { ...fields, errors: parsed.errors });
		const { db } = await database();
		const allowed = await reserveForAddress(db, 'sign-up', getClientAddress(), config().limits.signUp);
		if (!allowed.admitted) {
			const minutes = Math.ceil(allowed.retryAfterSeconds / 60);
			return fail(429, { ...fields, errors: {}, message: `Too many sign-ups from your network. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.` });
		}
		// The same answer whether or not the address has an account: only its mailbox learns which.
		await requestSignUp({ db, mailer: mail, issuer: config().issuer }, parsed.value, returnTo);
		const next = new URLSearchParams({ email: parsed.value.email });
		if (returnTo) next.set('return_to', returnTo);
		redirect(303, `/auth/signup/check-inbox?${next}`);
	}
};
