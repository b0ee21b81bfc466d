import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { config } from '$lib/server/config';

/**
 * The common-issues lab's empty key set (scenario 1): what a relying party gets from a JWKS
 * URL that answers but holds no keys. Only while the lab is on (FLOW_INSPECTOR).
 */
export const GET: RequestHandler = () => {
	if (!config().flowInspector) error(404, 'Not Found');
	return new Response(JSON.stringify({ keys: [] }), { headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });
};
