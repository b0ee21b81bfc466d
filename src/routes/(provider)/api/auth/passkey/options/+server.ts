import type { RequestHandler } from './$types';
import { passkeySignInOptions } from '$lib/server/auth/passkey-sign-in';
import { relyingPartyFor } from '$lib/server/auth/passkeys';
import { config } from '$lib/server/config';
import { jsonNoStore } from '$lib/server/oidc/http';
import { provider } from '$lib/server/provider';

/**
 * A challenge for signing in with a passkey (WebAuthn §5.5 options, allowCredentials empty: any
 * passkey of this site). POST, not GET: each call stores a challenge, so calls are counted per
 * client address (RATE_LIMIT_PASSKEY_OPTIONS_PER_IP). Same-origin only, like every /api/auth/
 * endpoint that is not listed as cross-origin in hooks.server.ts.
 */
export const POST: RequestHandler = async ({ getClientAddress }) => {
	const { db, issuer } = await provider();
	const result = await passkeySignInOptions(db, relyingPartyFor(issuer), getClientAddress(), config().limits.passkeyOptions);
	// RFC 6585 §4: 429 says when to come back.
	if ('failure' in result) {
		return jsonNoStore({ error: 'rate_limited', message: 'Too many passkey sign-ins from your network. Try again later.' }, 429, {
			'Retry-After': String(result.retryAfterSeconds)
		});
	}
	return jsonNoStore(result.options);
};
