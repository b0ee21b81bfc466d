import { redirect } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { database } from '$lib/server/db/instance';
import { deleteRPCookie, rpSessionCookie } from '$lib/server/rp/cookies';
import { discoverProvider } from '$lib/server/rp/discovery';
import { flowRecorder, saveBrowserFlow } from '$lib/server/rp/flow-inspector';
import { endFlowLogs } from '$lib/server/rp/flow-inspector-store';
import { deleteRPSession } from '$lib/server/rp/session';
import { demoSite } from '$lib/server/rp/site';

const END_SESSION_NOTES: Record<string, string> = {
	id_token_hint: 'The ID token this site received: tells the provider which session and client ask (RP-Initiated Logout §2).',
	client_id: 'Which client asks, so the provider can check post_logout_redirect_uri against its registration.',
	post_logout_redirect_uri: 'Where the provider sends the browser afterwards; must be registered.'
};

/**
 * RP-Initiated Logout 1.0: ends this site's session, then sends the browser to the provider's
 * end_session_endpoint with our ID token as hint; the provider then ends its own session and
 * tells every other site by back-channel.
 */
export const POST: RequestHandler = async ({ locals, cookies, url }) => {
	const { site, rp, issuer } = demoSite(locals.origin);
	const secure = url.protocol === 'https:';
	const session = locals.rpSession;
	const metadata = await discoverProvider(issuer);
	const recorder = flowRecorder('sign-out', 'Sign-out everywhere (RP-initiated logout)');
	const { db } = await database();
	if (session) {
		if (recorder) await endFlowLogs(db, locals.origin, { sessionId: session.id });
		await deleteRPSession(db, session.id);
	}
	deleteRPCookie(cookies, rpSessionCookie(locals.origin, secure), secure);
	const endSession = metadata.end_session_endpoint ? new URL(metadata.end_session_endpoint) : null;
	if (endSession) {
		if (session) endSession.searchParams.set('id_token_hint', session.idToken);
		endSession.searchParams.set('client_id', rp.clientId);
		endSession.searchParams.set('post_logout_redirect_uri', new URL('/', site.url).href);
	}
	if (recorder && session) {
		recorder.step({ from: 'browser', to: 'site', label: 'POST /auth/sign-out-everywhere', fields: [], note: '"Sign out everywhere" was pressed.' });
		recorder.step({
			from: 'site',
			to: 'browser',
			label: endSession ? '303 to the end_session_endpoint' : '303 to /',
			fields: [
				{
					name: 'Set-Cookie',
					value: `${rpSessionCookie(locals.origin, secure)} deleted`,
					note: "This site's session ends first, whatever the provider does next."
				}
			],
			note: 'The site ended its own session.'
		});
		if (endSession) {
			recorder.request('browser', 'provider', 'GET', endSession, {
				notes: END_SESSION_NOTES,
				note:
					'RP-Initiated Logout 1.0 §2. The provider ends its session, sends a logout token to every site the session signed in to ' +
					'(back-channel, listed next if it reached this site), then sends the browser to post_logout_redirect_uri.',
				seenBySite: false
			});
		}
		await saveBrowserFlow(
			{ db, cookies, site: locals.origin, secure },
			recorder.finish('succeeded', "This site's session ended; the browser went on to the provider to end the provider session."),
			{ openIfMissing: true }
		);
	}
	redirect(303, endSession?.href ?? '/');
};
