import type { RequestHandler } from './$types';
import { config } from '$lib/server/config';
import { provider } from '$lib/server/provider';

/** RFC 7517 JWK Set: public keys only. The first request on a fresh database creates the key. */
export const GET: RequestHandler = async () => {
	const { keys } = await provider();
	const { publishBeforeUseSeconds, cacheSeconds } = config().keys;
	// A new key reaches every instance's JWKS within cacheSeconds and signs after
	// publishBeforeUseSeconds: a cache holding this answer for the difference at most always
	// knows the next key before it is used.
	const maxAge = Math.min(300, publishBeforeUseSeconds - cacheSeconds);
	return new Response(await keys.publicJWKS(), {
		headers: { 'Content-Type': 'application/jwk-set+json', 'Cache-Control': `public, max-age=${maxAge}` }
	});
};
