import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';

/** The signed-in user and session for the cookie sent, or `null` (the guide's session check). */
export const GET: RequestHandler = ({ locals }) => {
	const session = locals.session;
	const body = session && {
		session: { id: session.id, userId: session.userId, expiresAt: session.expiresAt.toISOString(), authTime: session.authTime.toISOString() },
		user: session.user
	};
	return json(body, { headers: { 'Cache-Control': 'no-store' } });
};
