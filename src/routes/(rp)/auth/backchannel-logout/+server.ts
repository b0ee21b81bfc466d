import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { database } from '$lib/server/db/instance';
import { discoverProvider } from '$lib/server/rp/discovery';
import { recordLogoutToken } from '$lib/server/rp/logout-replay';
import { endRPSessionsForLogout } from '$lib/server/rp/session';
import { demoSite } from '$lib/server/rp/site';
import { verifyLogoutToken } from '$lib/server/rp/verify';

const NO_STORE = { 'Cache-Control': 'no-store' };

/** Back-Channel Logout 1.0 §2.5: the provider POSTs a logout token; we end the matching sessions. */
export const POST: RequestHandler = async ({ request, locals }) => {
	const { rp, issuer } = demoSite(locals.origin);
	const form = (request.headers.get('content-type') ?? '').startsWith('application/x-www-form-urlencoded')
		? new URLSearchParams(await request.text())
		: new URLSearchParams();
	const logoutToken = form.get('logout_token');
	if (!logoutToken) return json({ error: 'invalid_request', error_description: 'logout_token is required' }, { status: 400, headers: NO_STORE });
	try {
		const target = await verifyLogoutToken(logoutToken, { issuer, clientId: rp.clientId, jwksURI: (await discoverProvider(issuer)).jwks_uri });
		const { db } = await database();
		// §2.6: a token seen before is refused, so one that leaked (a log, a proxy) cannot be replayed.
		if (!(await recordLogoutToken(db, locals.origin, target))) throw new Error('this logout token was already used');
		await endRPSessionsForLogout(db, locals.origin, target);
	} catch (e) {
		// §2.8: an invalid logout token is answered 400.
		return json({ error: 'invalid_request', error_description: (e as Error).message }, { status: 400, headers: NO_STORE });
	}
	return new Response(null, { status: 200, headers: NO_STORE });
};
