import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { accountNotice } from '$lib/server/auth/notices';

export const load: PageServerLoad = ({ locals, url }) => {
	const session = locals.session;
	if (!session) redirect(303, '/auth/login?return_to=/account');
	return { user: session.user, authTime: session.authTime.toISOString(), expiresAt: session.expiresAt.toISOString(), notice: accountNotice(url.searchParams.get('notice')) };
};
