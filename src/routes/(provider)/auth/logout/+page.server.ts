import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { deleteSessionCookie } from '$lib/server/auth/cookies';
import { invalidateSession } from '$lib/server/auth/session';
import { database } from '$lib/server/db/instance';

export const load: PageServerLoad = ({ locals }) => {
	if (!locals.session) redirect(303, '/auth/login');
	return {};
};

export const actions: Actions = {
	default: async ({ locals, cookies, url }) => {
		if (locals.session) {
			const { db } = await database();
			await invalidateSession(db, locals.session.id);
		}
		deleteSessionCookie(cookies, url.protocol === 'https:');
		redirect(303, '/auth/login');
	}
};
