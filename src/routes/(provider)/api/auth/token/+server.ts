import type { RequestHandler } from './$types';
import { jsonNoStore, readFormParameters, runEndpoint } from '$lib/server/oidc/http';
import { firstPartyOrigins } from '$lib/server/oidc/first-party';
import { issueSessionJWT } from '$lib/server/oidc/session-jwt';
import { handleTokenRequest } from '$lib/server/oidc/token-endpoint';
import { provider } from '$lib/server/provider';

/** RFC 6749 §3.2 token endpoint. */
export const POST: RequestHandler = ({ request }) =>
	runEndpoint(async () => {
		const ctx = await provider();
		const params = await readFormParameters(request);
		return jsonNoStore(await handleTokenRequest(ctx, request.headers.get('authorization'), params));
	}, 'Basic');

/**
 * The session JWT (`{ "token": "<JWT>" }`) for the provider session cookie: what a
 * first-party frontend hands to a separate API. Readable cross-origin only by first-party
 * client origins.
 */
export const GET: RequestHandler = async ({ locals, request }) => {
	const ctx = await provider();
	const origin = request.headers.get('origin');
	const cors: Record<string, string> =
		origin && (await firstPartyOrigins(ctx.db)).has(origin)
			? { 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Credentials': 'true', Vary: 'Origin' }
			: { Vary: 'Origin' };
	if (!locals.session) return jsonNoStore({ error: 'unauthenticated', message: 'Sign in at the provider first.' }, 401, cors);
	const { token, expiresIn } = await issueSessionJWT(ctx, locals.session);
	return jsonNoStore({ token, expires_in: expiresIn }, 200, cors);
};
