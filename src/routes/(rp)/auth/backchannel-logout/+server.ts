import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { database } from '$lib/server/db/instance';
import { discoverProvider } from '$lib/server/rp/discovery';
import { flowRecorder } from '$lib/server/rp/flow-inspector';
import { appendFlow, endFlowLogs } from '$lib/server/rp/flow-inspector-store';
import { decodeToken, recordedValue } from '$lib/server/rp/flow-trace';
import { recordLogoutToken } from '$lib/server/rp/logout-replay';
import { endRPSessionsForLogout } from '$lib/server/rp/session';
import { demoSite } from '$lib/server/rp/site';
import { LOGOUT_TOKEN_CHECKS } from '$lib/server/rp/token-checks';
import { verifyLogoutToken } from '$lib/server/rp/verify';

const NO_STORE = { 'Cache-Control': 'no-store' };
const REPLAY_CHECK = LOGOUT_TOKEN_CHECKS.find((c) => c.id === 'jti')!;

/** Back-Channel Logout 1.0 §2.5: the provider POSTs a logout token; we end the matching sessions. */
export const POST: RequestHandler = async ({ request, locals, url }) => {
	const { rp, issuer } = demoSite(locals.origin);
	const form = (request.headers.get('content-type') ?? '').startsWith('application/x-www-form-urlencoded')
		? new URLSearchParams(await request.text())
		: new URLSearchParams();
	const logoutToken = form.get('logout_token');
	if (!logoutToken) return json({ error: 'invalid_request', error_description: 'logout_token is required' }, { status: 400, headers: NO_STORE });
	// Recorded only once the token is verified: an unverified token may not write into anyone's log.
	const recorder = flowRecorder('back-channel-logout', 'Back-channel logout');
	recorder?.step({
		from: 'provider',
		to: 'site',
		label: `POST ${url.pathname}`,
		fields: [
			{
				name: 'logout_token',
				value: recordedValue('logout_token', logoutToken),
				note: 'A signed JWT naming the provider session (sid) or user (sub) that ended; decoded below.'
			}
		],
		note: 'Back-Channel Logout 1.0 §2.5: server to server, no browser involved.'
	});
	if (recorder) recorder.token = decodeToken('Logout token', logoutToken);
	try {
		const target = await verifyLogoutToken(logoutToken, { issuer, clientId: rp.clientId, jwksURI: (await discoverProvider(issuer)).jwks_uri }, recorder);
		const { db } = await database();
		// §2.6: a token seen before is refused, so one that leaked (a log, a proxy) cannot be replayed.
		const firstUse = await recordLogoutToken(db, locals.origin, target);
		recorder?.check({
			id: REPLAY_CHECK.id,
			name: REPLAY_CHECK.name,
			result: firstUse ? 'passed' : 'failed',
			detail: `jti = ${target.jti}${firstUse ? '' : ' — already used'}`,
			spec: REPLAY_CHECK.spec,
			specURL: REPLAY_CHECK.specURL,
			withoutIt: REPLAY_CHECK.withoutIt
		});
		if (!firstUse) throw new Error('this logout token was already used');
		const logs = recorder ? await endFlowLogs(db, locals.origin, target) : [];
		const ended = await endRPSessionsForLogout(db, locals.origin, target);
		if (recorder) {
			recorder.step({
				from: 'site',
				to: 'provider',
				label: '200 OK',
				fields: [],
				note: `The site ended ${ended} session(s) of ${target.sid ? `provider session ${target.sid}` : `user ${target.sub}`} (§2.7).`
			});
			const trace = recorder.finish('succeeded', `The provider reported that the session ended; this site ended ${ended} session(s) of it.`);
			for (const logId of logs) await appendFlow(db, logId, trace);
		}
	} catch (e) {
		// §2.8: an invalid logout token is answered 400.
		return json({ error: 'invalid_request', error_description: (e as Error).message }, { status: 400, headers: NO_STORE });
	}
	return new Response(null, { status: 200, headers: NO_STORE });
};
