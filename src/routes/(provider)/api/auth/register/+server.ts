import type { RequestHandler } from './$types';
import { reserveForAddress } from '$lib/server/auth/client-address';
import { readJSONObject } from '$lib/server/auth/json-body';
import { config } from '$lib/server/config';
import { jsonNoStore, runEndpoint } from '$lib/server/oidc/http';
import { InvalidClientMetadata, registerClient } from '$lib/server/oidc/registration';
import { provider } from '$lib/server/provider';

/** RFC 7591 dynamic client registration; off when ALLOW_DYNAMIC_CLIENT_REGISTRATION=false. */
export const POST: RequestHandler = ({ request, getClientAddress }) =>
	runEndpoint(async () => {
		if (!config().allowDynamicClientRegistration) {
			return jsonNoStore({ error: 'access_denied', error_description: 'dynamic client registration is disabled on this provider' }, 403);
		}
		const { db, issuer } = await provider();
		// Open registration is reachable by anyone: each address gets a budget (RFC 7591 §3.2.2
		// error shape; RFC 6585 §4 429 with Retry-After), counted before any work is done.
		const allowed = await reserveForAddress(db, 'registration', getClientAddress(), config().limits.registration);
		if (!allowed.admitted) {
			return jsonNoStore({ error: 'rate_limited', error_description: 'too many registrations from this address; try again later' }, 429, { 'Retry-After': String(allowed.retryAfterSeconds) });
		}
		const metadata = await readJSONObject(request, 65_536);
		if (!metadata) throw new InvalidClientMetadata('send the client metadata as a JSON object (Content-Type: application/json)');
		return jsonNoStore(await registerClient(db, metadata, new Date(), issuer), 201);
	});
