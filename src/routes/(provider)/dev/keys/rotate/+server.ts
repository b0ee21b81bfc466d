import type { RequestHandler } from './$types';
import { config } from '$lib/server/config';
import { authenticateClient } from '$lib/server/oidc/clients';
import { browserSignOf, isRotationMode, NoSuccessorPublished, ROTATION_MODES, rotateForLab } from '$lib/server/oidc/dev-key-rotation';
import { jsonNoStore, readFormParameters, runEndpoint } from '$lib/server/oidc/http';
import { provider } from '$lib/server/provider';

const notFound = () => new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain' } });

/**
 * Development only (DEVELOPER_PAGES): rotates the ID token signing key for the demo sites'
 * common-issues lab (dev-key-rotation.ts). Only a demo site's server may call it: with that
 * site's client credentials (RFC 6749 §2.3.1) and none of a browser's headers.
 */
export const POST: RequestHandler = ({ request }) => {
	if (!config().developerPages) return Promise.resolve(notFound());
	return runEndpoint(async () => {
		const sign = browserSignOf(request.headers);
		if (sign)
			return jsonNoStore(
				{ error: 'access_denied', error_description: `browser requests are refused (${sign} header): only a demo site's server may rotate keys here` },
				403
			);
		const { db, keys } = await provider();
		const params = await readFormParameters(request);
		const client = await authenticateClient(db, request.headers.get('authorization'), params);
		const demoClients = Object.values(config().sites).map((s) => s.clientId);
		if (!demoClients.includes(client.id)) return jsonNoStore({ error: 'access_denied', error_description: 'only the demo sites may rotate keys here' }, 403);
		const mode = params.get('mode');
		if (!isRotationMode(mode)) return jsonNoStore({ error: 'invalid_request', error_description: `mode must be one of ${ROTATION_MODES.join(', ')}` }, 400);
		try {
			return jsonNoStore(await rotateForLab(keys, mode, new Date()));
		} catch (error) {
			if (error instanceof NoSuccessorPublished) return jsonNoStore({ error: 'invalid_request', error_description: error.message }, 409);
			throw error;
		}
	}, 'Basic');
};
