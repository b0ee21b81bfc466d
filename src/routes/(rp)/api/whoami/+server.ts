import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { database } from '$lib/server/db/instance';
import { discoverProvider } from '$lib/server/rp/discovery';
import { flowRecorder, saveBrowserFlow } from '$lib/server/rp/flow-inspector';
import { decodeToken, redact } from '$lib/server/rp/flow-trace';
import { demoSite } from '$lib/server/rp/site';
import { verifySessionJWT } from '$lib/server/rp/verify';

/** A stand-in for a separate backend API: it trusts a Bearer session JWT only after JWKS verification. */
export const GET: RequestHandler = async ({ request, locals, cookies, url }) => {
	const token = request.headers.get('authorization')?.match(/^Bearer\s+(\S+)$/i)?.[1];
	const challenge = { 'WWW-Authenticate': 'Bearer', 'Cache-Control': 'no-store' };
	if (!token) return json({ error: 'invalid_token', message: 'Send Authorization: Bearer <session JWT>.' }, { status: 401, headers: challenge });
	const { issuer } = demoSite(locals.origin);
	// Recorded into the calling browser's own log only (its inspector cookie): an API call
	// without one, from curl or another server, leaves nothing behind.
	const recorder = flowRecorder('api-call', "Call this site's API");
	recorder?.step({
		from: 'browser',
		to: 'site',
		label: `GET ${url.pathname}`,
		fields: [
			{
				name: 'Authorization',
				value: `Bearer ${redact(token)}`,
				note: "The provider's session JWT (a bearer credential: redacted; decoded below without its signature)."
			}
		],
		note: 'The page fetched a session JWT from the provider (GET /api/auth/token with the provider cookie) and sent it here.'
	});
	if (recorder) recorder.token = decodeToken('Session JWT', token);
	const record = async (outcome: 'succeeded' | 'failed', summary: string, status: number) => {
		if (!recorder) return;
		recorder.step({ from: 'site', to: 'browser', label: `${status} ${outcome === 'succeeded' ? 'OK' : 'invalid_token'}`, fields: [], note: summary });
		const { db } = await database();
		await saveBrowserFlow({ db, cookies, site: locals.origin, secure: url.protocol === 'https:' }, recorder.finish(outcome, summary));
	};
	try {
		const payload = await verifySessionJWT(token, { issuer, jwksURI: (await discoverProvider(issuer)).jwks_uri }, recorder);
		// The answer does not depend on the inspector: a failure to record is only logged.
		await record('succeeded', `The API trusted the token and answered for ${payload.sub}.`, 200).catch((e) => console.error('[rp] flow not recorded', e));
		return json({ sub: payload.sub, email: payload.email, name: payload.name, expiresAt: payload.exp }, { headers: { 'Cache-Control': 'no-store' } });
	} catch (e) {
		await record('failed', (e as Error).message, 401).catch((error) => console.error('[rp] flow not recorded', error));
		return json({ error: 'invalid_token', message: (e as Error).message }, { status: 401, headers: challenge });
	}
};
