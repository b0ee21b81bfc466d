import type { RequestHandler } from './$types';
import { authenticateClient } from '$lib/server/oidc/clients';
import { jsonNoStore, readFormParameters, runEndpoint } from '$lib/server/oidc/http';
import { introspect } from '$lib/server/oidc/introspection';
import { provider } from '$lib/server/provider';

/** RFC 7662 introspection endpoint (client-authenticated). */
export const POST: RequestHandler = ({ request }) =>
	runEndpoint(async () => {
		const ctx = await provider();
		const params = await readFormParameters(request);
		const caller = await authenticateClient(ctx.db, request.headers.get('authorization'), params);
		return jsonNoStore(await introspect(ctx, caller, params));
	}, 'Basic');
