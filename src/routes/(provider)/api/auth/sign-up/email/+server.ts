import type { RequestHandler } from './$types';
import { reserveForAddress } from '$lib/server/auth/client-address';
import { setSessionCookie } from '$lib/server/auth/cookies';
import { readJSONObject } from '$lib/server/auth/json-body';
import { createSession } from '$lib/server/auth/session';
import { createUser, parseSignUp } from '$lib/server/auth/user';
import { jsonNoStore } from '$lib/server/oidc/http';
import { config } from '$lib/server/config';
import { database } from '$lib/server/db/instance';

/** JSON sign-up (`{ email, password, name }`), as in the guide's curl example. Signs the user in. */
export const POST: RequestHandler = async ({ request, cookies, url, getClientAddress }) => {
	const body = await readJSONObject(request);
	if (!body) return jsonNoStore({ error: 'invalid_request', message: 'Send a JSON object: { "email", "password", "name" }.' }, 400);
	const parsed = parseSignUp(body, [url.hostname]);
	if ('errors' in parsed) return jsonNoStore({ error: 'invalid_request', message: 'Some fields need attention.', fields: parsed.errors }, 400);
	const { db } = await database();
	// Counted before the password is hashed: a flood of sign-ups costs the server nothing more.
	const allowed = await reserveForAddress(db, 'sign-up', getClientAddress(), config().limits.signUp);
	if (!allowed.admitted) {
		return jsonNoStore({ error: 'rate_limited', message: 'Too many sign-ups from your network. Try again later.' }, 429, { 'Retry-After': String(allowed.retryAfterSeconds) });
	}
	const user = await createUser(db, parsed.value);
	if (!user) return jsonNoStore({ error: 'user_exists', message: 'An account with this email already exists.', fields: { email: 'An account with this email already exists.' } }, 422);
	const { token, session } = await createSession(db, user.id);
	setSessionCookie(cookies, token, session.expiresAt, url.protocol === 'https:');
	return jsonNoStore({ user, session: { expiresAt: session.expiresAt.toISOString() } });
};
