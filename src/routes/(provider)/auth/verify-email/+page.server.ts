import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { setSessionCookie } from '$lib/server/auth/cookies';
import { completeSignIn } from '$lib/server/auth/sign-in-completion';
import { signInOrigin } from '$lib/server/auth/sign-in-origin';
import { confirmSignUp, pendingSignUpEmail } from '$lib/server/auth/sign-up';
import { database } from '$lib/server/db/instance';

// The link in the sign-up mail opens this page; only its button (a POST) uses the link up.
// Mail scanners and link previews fetch links with GET, so a GET must never create the account.

export const load: PageServerLoad = async ({ url, setHeaders }) => {
	setHeaders({ 'cache-control': 'no-store' });
	const token = url.searchParams.get('token');
	const { db } = await database();
	const email = await pendingSignUpEmail(db, token);
	return email && token ? { state: 'confirm' as const, email, token } : { state: 'invalid' as const };
};

export const actions: Actions = {
	// The page's load runs after a failed action and marks the answer no-store.
	default: async ({ request, cookies, locals, url, getClientAddress }) => {
		const form = await request.formData();
		const { db } = await database();
		const result = await confirmSignUp(db, form.get('token'));
		if ('failure' in result) {
			return result.failure === 'invalid' ? fail(410, { state: 'invalid' as const }) : fail(409, { state: 'address-taken' as const, email: result.email });
		}
		// A new account: whoever was signed in on this browser before is signed out.
		const { token, session } = await completeSignIn(db, {
			userId: result.user.id,
			amr: 'pwd',
			method: 'password',
			origin: signInOrigin({ request, getClientAddress }),
			replacing: locals.session?.id
		});
		setSessionCookie(cookies, token, session.expiresAt, url.protocol === 'https:');
		redirect(303, result.returnTo ?? '/account');
	}
};
