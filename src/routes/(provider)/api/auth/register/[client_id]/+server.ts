import type { RequestHandler } from './$types';
import { bearerToken } from '$lib/server/oidc/access-tokens';
import {
	authorizeClientConfiguration,
	deleteClientConfiguration,
	readClientConfiguration,
	updateClientConfiguration
} from '$lib/server/oidc/client-configuration';
import { jsonNoStore, runEndpoint } from '$lib/server/oidc/http';
import { readClientMetadata } from '$lib/server/oidc/registration';
import { provider } from '$lib/server/provider';

/** RFC 7592 client configuration endpoint: the registration access token as a Bearer token. */
async function authorized(request: Request, clientId: string) {
	const { db, issuer, outbound } = await provider();
	const row = await authorizeClientConfiguration(db, clientId, bearerToken(request.headers.get('authorization')));
	return { db, issuer, outbound, row };
}

/** §2.1 read. */
export const GET: RequestHandler = ({ request, params }) =>
	runEndpoint(async () => {
		const { issuer, row } = await authorized(request, params.client_id);
		return jsonNoStore(readClientConfiguration(row, issuer));
	}, 'Bearer');

/** §2.2 update: the request's metadata replaces the registration's. */
export const PUT: RequestHandler = ({ request, params }) =>
	runEndpoint(async () => {
		const { db, issuer, outbound, row } = await authorized(request, params.client_id);
		return jsonNoStore(await updateClientConfiguration(db, row, await readClientMetadata(request), issuer, outbound));
	}, 'Bearer');

/** §2.3 delete: 204, and the client, its grants and tokens are gone. */
export const DELETE: RequestHandler = ({ request, params }) =>
	runEndpoint(async () => {
		const { db, row } = await authorized(request, params.client_id);
		await deleteClientConfiguration(db, row);
		return new Response(null, { status: 204, headers: { 'Cache-Control': 'no-store' } });
	}, 'Bearer');
