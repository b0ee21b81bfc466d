import type { RequestHandler } from './$types';
import { authenticateClient } from '$lib/server/oidc/clients';
import { readFormParameters, runEndpoint } from '$lib/server/oidc/http';
import { revokeToken } from '$lib/server/oidc/revocation';
import { provider } from '$lib/server/provider';

/** RFC 7009 revocation endpoint (client-authenticated); 200 with an empty body on success. */
export const POST: RequestHandler = ({ request }) =>
	runEndpoint(async () => {
		const { db, keys, issuer } = await provider();
		const params = await readFormParameters(request);
		const caller = await authenticateClient(db, request.headers.get('authorization'), params);
		await revokeToken(db, keys, issuer, caller, params);
		return new Response(null, { status: 200, headers: { 'Cache-Control': 'no-store' } });
	}, 'Basic');
