import type { RequestHandler } from './$types';
import { reserveForAddress } from '$lib/server/auth/client-address';
import { readJSONObject } from '$lib/server/auth/json-body';
import { checkYourInboxMessage, MAIL_OFF_MESSAGE, requestSignUp } from '$lib/server/auth/sign-up';
import { parseSignUp } from '$lib/server/auth/user';
import { jsonNoStore } from '$lib/server/oidc/http';
import { config } from '$lib/server/config';
import { database } from '$lib/server/db/instance';
import { mailer } from '$lib/server/mail/instance';

/**
 * JSON sign-up (`{ email, password, name, return_to? }`), as in the guide's curl example.
 * Answers 202 "verification_sent" whether or not the address has an account (nothing here
 * tells a stranger who is registered); the account exists once the mailed link is used.
 */
export const POST: RequestHandler = async ({ request, url, getClientAddress }) => {
	const mail = await mailer();
	if (!mail) return jsonNoStore({ error: 'mail_unavailable', message: MAIL_OFF_MESSAGE }, 503);
	const body = await readJSONObject(request);
	if (!body) return jsonNoStore({ error: 'invalid_request', message: 'Send a JSON object: { "email", "password", "name" }.' }, 400);
	const parsed = parseSignUp(body, [url.hostname]);
	if ('errors' in parsed) return jsonNoStore({ error: 'invalid_request', message: 'Some fields need attention.', fields: parsed.errors }, 400);
	const { db } = await database();
	// Counted before the password is hashed: a flood of sign-ups costs the server nothing more.
	const allowed = await reserveForAddress(db, 'sign-up', getClientAddress(), config().limits.signUp);
	if (!allowed.admitted) {
		return jsonNoStore({ error: 'rate_limited', message: 'Too many sign-ups from your network. Try again later.' }, 429, {
			'Retry-After': String(allowed.retryAfterSeconds)
		});
	}
	const { email } = parsed.value;
	await requestSignUp({ db, mailer: mail, issuer: config().issuer }, parsed.value, typeof body.return_to === 'string' ? body.return_to : null);
	return jsonNoStore({ status: 'verification_sent', email, message: checkYourInboxMessage(email) }, 202);
};
