import type { PageServerLoad } from './$types';
import { RESET_LINK_TTL_SECONDS } from '$lib/server/auth/password-reset';
import { safeReturnTo } from '$lib/server/auth/return-to';
import { normalizeEmail } from '$lib/server/auth/user';

export const load: PageServerLoad = ({ url }) => ({
	email: normalizeEmail(url.searchParams.get('email')),
	returnTo: safeReturnTo(url.searchParams.get('return_to')),
	validMinutes: RESET_LINK_TTL_SECONDS / 60
});
