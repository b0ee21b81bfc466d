import type { RequestHandler } from './$types';
import { jsonNoStore, readFormParameters, runEndpoint } from '$lib/server/oidc/http';
import { handleTokenRequest } from '$lib/server/oidc/tokens';
import { provider } from '$lib/server/provider';

/** RFC 6749 §3.2 token endpoint. */
export const POST: RequestHandler = ({ request }) =>
	runEndpoint(async () => {
		const { tokens } = await provider();
		const params = await readFormParameters(request);
		return jsonNoStore(await handleTokenRequest(tokens, request.headers.get('authorization'), params));
	}, 'Basic');
