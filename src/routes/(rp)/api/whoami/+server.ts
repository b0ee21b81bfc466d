import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { discoverProvider } from '$lib/server/rp/discovery';
import { demoSite } from '$lib/server/rp/site';
import { verifySessionJWT } from '$lib/server/rp/verify';

/** A stand-in for a separate backend API: it trusts a Bearer session JWT only after JWKS verification. */
export const GET: RequestHandler = async ({ request, locals }) => {
	const token = request.headers.get('authorization')?.match(/^Bearer\s+(\S+)$/i)?.[1];
	const challenge = { 'WWW-Authenticate': 'Bearer', 'Cache-Control': 'no-store' };
	if (!token) return json({ error: 'invalid_token', message: 'Send Authorization: Bearer <session JWT>.' }, { status: 401, headers: challenge });
	const { issuer } = demoSite(locals.origin);
	try {
		const payload = await verifySessionJWT(token, { issuer, jwksURI: (await discoverProvider(issuer)).jwks_uri });
		return json({ sub: payload.sub, email: payload.email, name: payload.name, expiresAt: payload.exp }, { headers: { 'Cache-Control': 'no-store' } });
	} catch (e) {
		return json({ error: 'invalid_token', message: (e as Error).message }, { status: 401, headers: challenge });
	}
};
