import type { RequestHandler } from './$types';
import { authenticateClient } from '$lib/server/oidc/clients';
import { readFormParameters, runEndpoint } from '$lib/server/oidc/http';
import { revokeToken } from '$lib/server/oidc/revocation';
import { provider } from '$lib/server/provider';

/** RFC 7009 revocation endpoint (client-authenticated); 200 with an empty body on success. */
export const POST: RequestHandler = ({ request }) =>
	runEndpoint(async () => {
		const ctx = await provider();
		const params = await readFormParameters(request);
		const caller = await authenticateClient(ctx.db, request.headers.get('authorization'), params);
		await revokeToken(ctx, caller, params);
		return new Response(null, { status: 200, headers: { 'Cache-Control': 'no-store' } });
	}, 'Basic');
