import type { RequestHandler } from './$types';
import { provider } from '$lib/server/provider';

/** RFC 7517 JWK Set: public keys only. The first request on a fresh database creates the key. */
export const GET: RequestHandler = async () => {
	const { keys } = await provider();
	return new Response(await keys.publicJWKS(), {
		headers: {
			'Content-Type': 'application/jwk-set+json',
			// Shorter than the time a new key is published before it signs (keys.ts), so a
			// relying party's cache always knows the next key before it is used.
			'Cache-Control': 'public, max-age=300'
		}
	});
};
