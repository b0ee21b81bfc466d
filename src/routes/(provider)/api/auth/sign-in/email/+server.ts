import type { RequestHandler } from './$types';
import { setSessionCookie } from '$lib/server/auth/cookies';
import { readJSONObject } from '$lib/server/auth/json-body';
import { completeSignIn } from '$lib/server/auth/sign-in-completion';
import { signInOrigin } from '$lib/server/auth/sign-in-origin';
import { recordFailedSignIn } from '$lib/server/auth/failed-sign-in-log';
import { FORGOT_PASSWORD_PATH, rateLimitedMessage, signInWithPassword } from '$lib/server/auth/password-sign-in';
import { config } from '$lib/server/config';
import { jsonNoStore } from '$lib/server/oidc/http';
import { database } from '$lib/server/db/instance';

/** JSON sign-in (`{ email, password }`): sets the provider session cookie, for scripts and tests. */
export const POST: RequestHandler = async ({ request, cookies, url, getClientAddress }) => {
	const body = await readJSONObject(request);
	if (!body || typeof body.password !== 'string') return jsonNoStore({ error: 'invalid_request', message: 'Send a JSON object: { "email", "password" }.' }, 400);
	const { db } = await database();
	const result = await signInWithPassword(db, { email: body.email, password: body.password, clientAddress: getClientAddress() }, config().limits.signIn);
	if ('failure' in result) {
		await recordFailedSignIn(db, body.email, result.failure, signInOrigin({ request, getClientAddress }));
		// RFC 6585 §4: 429 says when to come back.
		return result.failure === 'rate-limited'
			? jsonNoStore({ error: 'rate_limited', message: rateLimitedMessage(result.retryAfterSeconds), reset_password_url: config().issuer + FORGOT_PASSWORD_PATH }, 429, { 'Retry-After': String(result.retryAfterSeconds) })
			: jsonNoStore({ error: 'invalid_credentials', message: 'Email or password is incorrect.' }, 401);
	}
	const { user } = result;
	const { token, session } = await completeSignIn(db, { userId: user.id, amr: 'pwd', method: 'password', origin: signInOrigin({ request, getClientAddress }) });
	setSessionCookie(cookies, token, session.expiresAt, url.protocol === 'https:');
	return jsonNoStore({ user, session: { expiresAt: session.expiresAt.toISOString() } });
};
