import type { PageServerLoad } from './$types';
import { safeReturnTo } from '$lib/server/auth/return-to';
import { normalizeEmail } from '$lib/server/auth/user';
import { mailMode } from '$lib/server/mail/instance';

export const load: PageServerLoad = ({ url, setHeaders }) => {
	setHeaders({ 'cache-control': 'no-store' });
	return {
		email: normalizeEmail(url.searchParams.get('email')),
		returnTo: safeReturnTo(url.searchParams.get('return_to')),
		devMailbox: mailMode().kind === 'dev-mailbox'
	};
};
