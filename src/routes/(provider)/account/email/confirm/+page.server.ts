import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { confirmEmailChange, findEmailChangeLink } from '$lib/server/auth/email-change';
import { recordSecurityEvent } from '$lib/server/auth/security-log';
import { signInOrigin } from '$lib/server/auth/sign-in-origin';
import { config } from '$lib/server/config';
import { database } from '$lib/server/db/instance';
import { mailer } from '$lib/server/mail/instance';

// The token is in the URL: no cache may keep the page.
const NO_STORE = { 'cache-control': 'no-store' };

/** Back here after signing in (the link proves the mailbox; the session must prove the account). */
function signInFirst(url: URL): never {
	redirect(303, `/auth/login?return_to=${encodeURIComponent(url.pathname + url.search)}`);
}

// GET only shows what the link would do: mail scanners open links, and must not change anything.
export const load: PageServerLoad = async ({ url, locals, setHeaders }) => {
	setHeaders(NO_STORE);
	const token = url.searchParams.get('token') ?? '';
	const { db } = await database();
	const link = await findEmailChangeLink(db, token);
	if (!link) return { state: 'invalid' as const };
	if (!locals.session) signInFirst(url);
	if (locals.session.userId !== link.userId) return { state: 'other-account' as const };
	return { state: 'ready' as const, token, currentEmail: link.currentEmail, newEmail: link.newEmail };
};

export const actions: Actions = {
	default: async ({ request, url, locals, getClientAddress }) => {
		// The page the action renders runs load, which sets Cache-Control (setting it twice throws).
		if (!locals.session) signInFirst(url);
		const form = await request.formData();
		const send = await mailer();
		if (!send) return fail(503, { outcome: 'no-mail' as const });
		const { db } = await database();
		const outcome = await confirmEmailChange(
			db,
			{ token: form.get('token'), signedInUserId: locals.session.userId },
			{ issuer: config().issuer, mailer: send }
		);
		if (outcome.status === 'done') {
			await recordSecurityEvent(
				db,
				locals.session.userId,
				'email-changed',
				{ from: outcome.oldEmail, to: outcome.newEmail },
				signInOrigin({ request, getClientAddress })
			);
			redirect(303, '/account?notice=email-changed');
		}
		if (outcome.status === 'taken') return fail(409, { outcome: 'taken' as const, newEmail: outcome.newEmail });
		if (outcome.status === 'other-account') return fail(403, { outcome: 'other-account' as const });
		return fail(400, { outcome: 'invalid' as const });
	}
};
