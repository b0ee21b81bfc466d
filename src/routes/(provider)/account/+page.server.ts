import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => {
	const session = locals.session;
	if (!session) redirect(303, '/auth/login?return_to=/account');
	return { user: session.user, authTime: session.authTime.toISOString(), expiresAt: session.expiresAt.toISOString() };
};
