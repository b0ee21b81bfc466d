import type { RequestHandler } from './$types';
import { authenticationOptions, relyingPartyFor } from '$lib/server/auth/passkeys';
import { jsonNoStore } from '$lib/server/oidc/http';
import { provider } from '$lib/server/provider';

/**
 * A challenge for signing in with a passkey (WebAuthn §5.5 options, allowCredentials empty: any
 * passkey of this site). POST, not GET: each call stores a challenge. Same-origin only, like
 * every /api/auth/ endpoint that is not listed as cross-origin in hooks.server.ts.
 */
export const POST: RequestHandler = async () => {
	const { db, issuer } = await provider();
	return jsonNoStore(await authenticationOptions(db, relyingPartyFor(issuer)));
};
