import type { RequestHandler } from './$types';
import { relyingPartyFor, registrationOptions } from '$lib/server/auth/passkeys';
import { isRecentAuthentication, reauthenticationPath } from '$lib/server/auth/recent-auth';
import { config } from '$lib/server/config';
import { jsonNoStore } from '$lib/server/oidc/http';
import { provider } from '$lib/server/provider';

const CONSOLE = '/account/passkeys';

/**
 * Options for adding a passkey to the signed-in account (WebAuthn §5.4). Adding a way to sign
 * in needs a recent sign-in, like a password change: the answer then says where to go first.
 */
export const POST: RequestHandler = async ({ locals }) => {
	const session = locals.session;
	if (!session)
		return jsonNoStore({ error: 'sign_in_required', message: 'Sign in first.', location: `/auth/login?return_to=${encodeURIComponent(CONSOLE)}` }, 401);
	if (!isRecentAuthentication(session.authTime, config().recentAuthSeconds)) {
		return jsonNoStore(
			{ error: 'reauthenticate', message: 'Adding a passkey needs a recent sign-in.', location: reauthenticationPath(CONSOLE, 'reauthenticate-passkeys') },
			403
		);
	}
	const { db, issuer } = await provider();
	return jsonNoStore(await registrationOptions(db, relyingPartyFor(issuer), session.user));
};
