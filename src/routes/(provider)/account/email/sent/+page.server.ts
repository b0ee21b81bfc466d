import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { EMAIL_CHANGE_LINK_TTL_SECONDS } from '$lib/server/auth/email-change';
import { normalizeEmail } from '$lib/server/auth/user';

export const load: PageServerLoad = ({ locals, url }) => {
	if (!locals.session) redirect(303, `/auth/login?return_to=${encodeURIComponent('/account/email')}`);
	return { to: normalizeEmail(url.searchParams.get('to')), currentEmail: locals.session.user.email, validMinutes: EMAIL_CHANGE_LINK_TTL_SECONDS / 60 };
};
