import type { RequestHandler } from './$types';
import { bearerToken } from '$lib/server/oidc/access-tokens';
import { jsonNoStore, readFormParameters, runEndpoint } from '$lib/server/oidc/http';
import { userInfo } from '$lib/server/oidc/userinfo';
import { provider } from '$lib/server/provider';

/** OIDC Core §5.3 UserInfo: GET or POST with a Bearer access token (RFC 6750). */
async function respond(authorization: string | null, body?: Map<string, string>): Promise<Response> {
	return jsonNoStore(await userInfo(await provider(), bearerToken(authorization, body)));
}

export const GET: RequestHandler = ({ request }) => runEndpoint(() => respond(request.headers.get('authorization')), 'Bearer');

export const POST: RequestHandler = ({ request }) =>
	runEndpoint(async () => {
		const hasForm = (request.headers.get('content-type') ?? '').startsWith('application/x-www-form-urlencoded');
		return respond(request.headers.get('authorization'), hasForm ? await readFormParameters(request) : undefined);
	}, 'Bearer');
