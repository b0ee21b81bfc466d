import { redirect } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { database } from '$lib/server/db/instance';
import { deleteRPCookie, rpSessionCookie } from '$lib/server/rp/cookies';
import { discoverProvider } from '$lib/server/rp/discovery';
import { deleteRPSession } from '$lib/server/rp/session';
import { demoSite } from '$lib/server/rp/site';

/**
 * RP-Initiated Logout 1.0: ends this site's session, then sends the browser to the provider's
 * end_session_endpoint with our ID token as hint; the provider then ends its own session and
 * tells every other site by back-channel.
 */
export const POST: RequestHandler = async ({ locals, cookies, url }) => {
	const { site, rp, issuer } = demoSite(locals.origin);
	const session = locals.rpSession;
	const metadata = await discoverProvider(issuer);
	if (session) {
		const { db } = await database();
		await deleteRPSession(db, session.id);
	}
	deleteRPCookie(cookies, rpSessionCookie(locals.origin, url.protocol === 'https:'), url.protocol === 'https:');
	if (!metadata.end_session_endpoint) redirect(303, '/');
	const endSession = new URL(metadata.end_session_endpoint);
	if (session) endSession.searchParams.set('id_token_hint', session.idToken);
	endSession.searchParams.set('client_id', rp.clientId);
	endSession.searchParams.set('post_logout_redirect_uri', new URL('/', site.url).href);
	redirect(303, endSession.href);
};
