import type { RequestHandler } from './$types';
import { reserveForAddress } from '$lib/server/auth/client-address';
import { config } from '$lib/server/config';
import { jsonNoStore, runEndpoint } from '$lib/server/oidc/http';
import { readClientMetadata, registerClient } from '$lib/server/oidc/registration';
import { optionalBearerToken } from '$lib/server/oidc/access-tokens';
import { provider } from '$lib/server/provider';

/**
 * RFC 7591 dynamic client registration. Open registration is off when
 * ALLOW_DYNAMIC_CLIENT_REGISTRATION=false; registration with an operator's initial access
 * token (RFC 7591 §3, `Authorization: Bearer`) works either way.
 */
export const POST: RequestHandler = ({ request, getClientAddress }) =>
	runEndpoint(async () => {
		const initialAccessToken = optionalBearerToken(request.headers.get('authorization'));
		if (!config().allowDynamicClientRegistration && initialAccessToken === undefined) {
			return jsonNoStore({ error: 'access_denied', error_description: 'dynamic client registration is disabled on this provider' }, 403);
		}
		const { db, issuer, outbound } = await provider();
		// Open registration is reachable by anyone: each address gets a budget (RFC 7591 §3.2.2
		// error shape; RFC 6585 §4 429 with Retry-After), counted before any work is done.
		const allowed = await reserveForAddress(db, 'registration', getClientAddress(), config().limits.registration);
		if (!allowed.admitted) {
			return jsonNoStore({ error: 'rate_limited', error_description: 'too many registrations from this address; try again later' }, 429, {
				'Retry-After': String(allowed.retryAfterSeconds)
			});
		}
		const metadata = await readClientMetadata(request);
		return jsonNoStore(await registerClient(db, metadata, new Date(), issuer, { initialAccessToken, outbound }), 201);
	}, 'Bearer');
