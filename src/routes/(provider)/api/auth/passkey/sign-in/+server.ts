import type { RequestHandler } from './$types';
import { setSessionCookie } from '$lib/server/auth/cookies';
import { readJSONObject } from '$lib/server/auth/json-body';
import { signInFailureMessage } from '$lib/server/auth/passkey-messages';
import { parseAssertion, signInWithPasskey } from '$lib/server/auth/passkey-sign-in';
import { rateLimitedMessage } from '$lib/server/auth/password-sign-in';
import { relyingPartyFor } from '$lib/server/auth/passkeys';
import { safeReturnTo } from '$lib/server/auth/return-to';
import { completeSignIn } from '$lib/server/auth/sign-in-completion';
import { signInOrigin } from '$lib/server/auth/sign-in-origin';
import { config } from '$lib/server/config';
import { jsonNoStore } from '$lib/server/oidc/http';
import { provider } from '$lib/server/provider';

/**
 * Signs in with a passkey: the assertion (WebAuthn §7.2) as JSON, and `return_to`. The answer
 * sets the session cookie and says where to go (`location`); a refusal says why in words the
 * sign-in page shows beside its button. Same-origin only (hooks.server.ts refuses cross-site
 * posts, and a JSON body cannot be sent cross-origin without a CORS preflight we never allow).
 */
export const POST: RequestHandler = async ({ request, cookies, locals, url, getClientAddress }) => {
	const body = await readJSONObject(request);
	const response = body ? parseAssertion(body) : null;
	if (!body || !response) {
		return jsonNoStore(
			{ error: 'invalid_request', message: 'Send the passkey assertion as JSON: { id, clientDataJSON, authenticatorData, signature, userHandle }.' },
			400
		);
	}
	const { db, issuer } = await provider();
	const rp = relyingPartyFor(issuer);
	const origin = signInOrigin({ request, getClientAddress });
	const result = await signInWithPasskey(db, rp, { response, clientAddress: getClientAddress(), origin }, config().limits.signIn);
	if ('failure' in result) {
		if (result.failure === 'rate-limited') {
			return jsonNoStore({ error: 'rate_limited', message: rateLimitedMessage(result.retryAfterSeconds) }, 429, {
				'Retry-After': String(result.retryAfterSeconds)
			});
		}
		return jsonNoStore({ error: 'passkey_refused', reason: result.failure, message: signInFailureMessage(result.failure, rp) }, 400);
	}
	const { signedIn } = result;
	const { token, session } = await completeSignIn(db, {
		userId: signedIn.userId,
		amr: signedIn.amr.join(' '),
		method: 'passkey',
		origin,
		replacing: locals.session?.id
	});
	setSessionCookie(cookies, token, session.expiresAt, url.protocol === 'https:');
	return jsonNoStore({ location: safeReturnTo(body.return_to) ?? '/account' });
};
