import { error, fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { recordSecurityEvent } from '$lib/server/auth/security-log';
import { signInOrAskSecondFactor } from '$lib/server/auth/second-factor-sign-in';
import { signInOrigin } from '$lib/server/auth/sign-in-origin';
import { findMailedLink, linkAfterMail } from '$lib/server/auth/upstream-accounts';
import { deleteLinkCookie, readLinkCookie } from '$lib/server/auth/upstream-cookies';
import { config } from '$lib/server/config';
import { upstreamById } from '$lib/server/config-upstreams';
import { database } from '$lib/server/db/instance';

const EXPIRED = 'This link has expired or was already used. Start again from the sign-in page.';
const back = { href: '/auth/login', label: 'Back to sign-in' };

// Opening the link changes nothing (mail scanners open links); the button below does.
export const load: PageServerLoad = async ({ url }) => {
	const token = url.searchParams.get('token');
	const { db } = await database();
	const mailed = await findMailedLink(db, token);
	if (!mailed) error(400, { message: EXPIRED, back });
	return {
		token: token!,
		email: mailed.email,
		upstreamName: upstreamById(config().upstreams, mailed.provider)?.name ?? mailed.provider,
		nameAtUpstream: mailed.nameAtUpstream
	};
};

export const actions: Actions = {
	default: async ({ request, cookies, url, locals, getClientAddress }) => {
		const secure = url.protocol === 'https:';
		const token = (await request.formData()).get('token');
		const stored = readLinkCookie(cookies, secure);
		const { db } = await database();
		const linked = await linkAfterMail(db, token, stored?.token);
		if (!linked.linked) {
			if (linked.reason === 'other-browser') {
				return fail(400, { message: 'Open this link in the browser where you started signing in, within 15 minutes. Nothing was linked.' });
			}
			error(400, { message: EXPIRED, back });
		}
		deleteLinkCookie(cookies, secure);
		await recordSecurityEvent(db, linked.userId, 'upstream-linked', { provider: linked.provider }, signInOrigin({ request, getClientAddress }));
		const signIn = {
			userId: linked.userId,
			amr: linked.amr,
			method: linked.provider,
			origin: signInOrigin({ request, getClientAddress }),
			replacing: locals.session?.id
		};
		redirect(303, await signInOrAskSecondFactor(db, cookies, secure, signIn, stored?.returnTo ?? null, config().twoFactorPendingSeconds));
	}
};
