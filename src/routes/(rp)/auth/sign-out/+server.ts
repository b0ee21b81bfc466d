import { redirect } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { database } from '$lib/server/db/instance';
import { deleteRPCookie, rpSessionCookie } from '$lib/server/rp/cookies';
import { deleteRPSession } from '$lib/server/rp/session';

/** Ends this site's own session; the provider session (and other sites') are left alone. */
export const POST: RequestHandler = async ({ locals, cookies, url }) => {
	if (locals.rpSession) {
		const { db } = await database();
		await deleteRPSession(db, locals.rpSession.id);
	}
	deleteRPCookie(cookies, rpSessionCookie(locals.origin, url.protocol === 'https:'), url.protocol === 'https:');
	redirect(303, '/');
};
