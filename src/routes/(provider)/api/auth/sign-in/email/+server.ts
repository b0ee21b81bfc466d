import type { RequestHandler } from './$types';
import { parseAmr, withSecondFactor } from '$lib/server/auth/authentication-strength';
import { setSessionCookie } from '$lib/server/auth/cookies';
import { readJSONObject } from '$lib/server/auth/json-body';
import { checkSecondFactor, tooManyCodesMessage } from '$lib/server/auth/second-factor';
import { completeSignIn } from '$lib/server/auth/sign-in-completion';
import { signInOrigin } from '$lib/server/auth/sign-in-origin';
import { recordFailedSignIn } from '$lib/server/auth/failed-sign-in-log';
import { FORGOT_PASSWORD_PATH, rateLimitedMessage, signInWithPassword } from '$lib/server/auth/password-sign-in';
import { hasConfirmedTOTP } from '$lib/server/auth/totp-credentials';
import { config } from '$lib/server/config';
import { jsonNoStore } from '$lib/server/oidc/http';
import { provider } from '$lib/server/provider';

/**
 * JSON sign-in (`{ email, password, code? }`): sets the provider session cookie, for scripts
 * and tests. An account with two-step verification needs `code` too (a code from the
 * authenticator app, or a recovery code); without it the answer is 401 second_factor_required.
 */
export const POST: RequestHandler = async ({ request, cookies, url, getClientAddress }) => {
	const body = await readJSONObject(request);
	if (!body || typeof body.password !== 'string')
		return jsonNoStore({ error: 'invalid_request', message: 'Send a JSON object: { "email", "password" }.' }, 400);
	if (body.code !== undefined && typeof body.code !== 'string') return jsonNoStore({ error: 'invalid_request', message: '"code" must be a string.' }, 400);
	const { db, totpEncryptionKey } = await provider();
	const settings = config();
	const result = await signInWithPassword(db, { email: body.email, password: body.password, clientAddress: getClientAddress() }, settings.limits.signIn);
	if ('failure' in result) {
		await recordFailedSignIn(db, body.email, result.failure, signInOrigin({ request, getClientAddress }));
		// RFC 6585 §4: 429 says when to come back.
		return result.failure === 'rate-limited'
			? jsonNoStore(
					{ error: 'rate_limited', message: rateLimitedMessage(result.retryAfterSeconds), reset_password_url: settings.issuer + FORGOT_PASSWORD_PATH },
					429,
					{ 'Retry-After': String(result.retryAfterSeconds) }
				)
			: jsonNoStore({ error: 'invalid_credentials', message: 'Email or password is incorrect.' }, 401);
	}
	const { user } = result;
	const origin = signInOrigin({ request, getClientAddress });
	let amr = 'pwd';
	if (await hasConfirmedTOTP(db, user.id)) {
		if (!body.code) {
			return jsonNoStore(
				{ error: 'second_factor_required', message: 'This account uses two-step verification: send "code", from the authenticator app or a recovery code.' },
				401
			);
		}
		const checked = await checkSecondFactor(
			db,
			{ userId: user.id, code: body.code, origin },
			{ limit: settings.limits.secondFactor, encryptionKey: totpEncryptionKey }
		);
		if ('failure' in checked) {
			return checked.failure === 'rate-limited'
				? jsonNoStore({ error: 'rate_limited', message: tooManyCodesMessage(checked.retryAfterSeconds) }, 429, {
						'Retry-After': String(checked.retryAfterSeconds)
					})
				: jsonNoStore({ error: 'invalid_code', message: 'That code is not right, or was already used.' }, 401);
		}
		amr = withSecondFactor(parseAmr(amr), 'otp').join(' ');
	}
	const { token, session } = await completeSignIn(db, { userId: user.id, amr, method: 'password', origin });
	setSessionCookie(cookies, token, session.expiresAt, url.protocol === 'https:');
	return jsonNoStore({ user, session: { expiresAt: session.expiresAt.toISOString() } });
};
