import type { RequestHandler } from './$types';
import { readJSONObject } from '$lib/server/auth/json-body';
import { config } from '$lib/server/config';
import { jsonNoStore, runEndpoint } from '$lib/server/oidc/http';
import { InvalidClientMetadata, registerClient } from '$lib/server/oidc/registration';
import { provider } from '$lib/server/provider';

/** RFC 7591 dynamic client registration; off when ALLOW_DYNAMIC_CLIENT_REGISTRATION=false. */
export const POST: RequestHandler = ({ request }) =>
	runEndpoint(async () => {
		if (!config().allowDynamicClientRegistration) {
			return jsonNoStore({ error: 'access_denied', error_description: 'dynamic client registration is disabled on this provider' }, 403);
		}
		const { db, issuer, outbound } = await provider();
		const metadata = await readJSONObject(request, 65_536);
		if (!metadata) throw new InvalidClientMetadata('send the client metadata as a JSON object (Content-Type: application/json)');
		return jsonNoStore(await registerClient(db, metadata, new Date(), issuer, outbound), 201);
	});
