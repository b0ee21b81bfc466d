import { redirect } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { database } from '$lib/server/db/instance';
import { deleteRPCookie, rpSessionCookie } from '$lib/server/rp/cookies';
import { flowRecorder, saveBrowserFlow } from '$lib/server/rp/flow-inspector';
import { endFlowLogs } from '$lib/server/rp/flow-inspector-store';
import { deleteRPSession } from '$lib/server/rp/session';

/** Ends this site's own session; the provider session (and other sites') are left alone. */
export const POST: RequestHandler = async ({ locals, cookies, url }) => {
	const secure = url.protocol === 'https:';
	const recorder = flowRecorder('sign-out', 'Sign-out of this site');
	if (locals.rpSession) {
		const { db } = await database();
		if (recorder) await endFlowLogs(db, locals.origin, { sessionId: locals.rpSession.id });
		await deleteRPSession(db, locals.rpSession.id);
		if (recorder) {
			recorder.step({ from: 'browser', to: 'site', label: 'POST /auth/sign-out', fields: [], note: '"Sign out of this site" was pressed.' });
			recorder.step({
				from: 'site',
				to: 'browser',
				label: '303 to /',
				fields: [
					{
						name: 'Set-Cookie',
						value: `${rpSessionCookie(locals.origin, secure)} deleted`,
						note: "The site's session row is deleted too, so the old cookie is worthless."
					}
				],
				note: 'Only this site\'s session ended. The provider session is untouched: "Sign in with SSO" will sign you in again without a password.'
			});
			await saveBrowserFlow(
				{ db, cookies, site: locals.origin, secure },
				recorder.finish('succeeded', "This site's session ended; the provider session remains."),
				{ openIfMissing: true }
			);
		}
	}
	deleteRPCookie(cookies, rpSessionCookie(locals.origin, secure), secure);
	redirect(303, '/');
};
