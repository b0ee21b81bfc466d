import type { RequestHandler } from './$types';
import { setSessionCookie } from '$lib/server/auth/cookies';
import { readJSONObject } from '$lib/server/auth/json-body';
import { createSession } from '$lib/server/auth/session';
import { authenticateWithPassword } from '$lib/server/auth/user';
import { jsonNoStore } from '$lib/server/oidc/http';
import { database } from '$lib/server/db/instance';

/** JSON sign-in (`{ email, password }`): sets the provider session cookie, for scripts and tests. */
export const POST: RequestHandler = async ({ request, cookies, url }) => {
	const body = await readJSONObject(request);
	if (!body || typeof body.password !== 'string') return jsonNoStore({ error: 'invalid_request', message: 'Send a JSON object: { "email", "password" }.' }, 400);
	const { db } = await database();
	const result = await authenticateWithPassword(db, body.email, body.password);
	if ('failure' in result) {
		return result.failure === 'rate-limited'
			? jsonNoStore({ error: 'rate_limited', message: 'Too many failed attempts for this account.' }, 429, { 'Retry-After': String(result.retryAfterSeconds) })
			: jsonNoStore({ error: 'invalid_credentials', message: 'Email or password is incorrect.' }, 401);
	}
	const { user } = result;
	const { token, session } = await createSession(db, user.id);
	setSessionCookie(cookies, token, session.expiresAt, url.protocol === 'https:');
	return jsonNoStore({ user, session: { expiresAt: session.expiresAt.toISOString() } });
};
