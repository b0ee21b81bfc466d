import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { database } from '$lib/server/db/instance';
import { isDatabaseUnavailable } from '$lib/server/db/outage';
import { deleteRPCookie, rpFlowCookie, rpSessionCookie, setRPCookie } from '$lib/server/rp/cookies';
import { discoverProvider } from '$lib/server/rp/discovery';
import { finishSignIn, SignInFailed } from '$lib/server/rp/flow';
import { openPendingFlows, sealPendingFlows, takePendingFlow } from '$lib/server/rp/pending-sign-ins';
import { flowRecorder, saveBrowserFlow, saveSignInFlow } from '$lib/server/rp/flow-inspector';
import { decodeToken } from '$lib/server/rp/flow-trace';
import { createRPSession } from '$lib/server/rp/session';
import { recordFrontChannel } from '$lib/server/rp/sign-in-trace';
import { demoSite } from '$lib/server/rp/site';
import { verifyIDToken } from '$lib/server/rp/verify';

/** The home page's notice: "that sign-in had already finished; you are still signed in". */
const SIGN_IN_NOT_PENDING = 'sign-in-not-pending';

export const load: PageServerLoad = async ({ locals, cookies, url }) => {
	const { rp, issuer } = demoSite(locals.origin);
	const secure = url.protocol === 'https:';
	const flowCookie = rpFlowCookie(locals.origin, secure);
	// The flow this callback's state names is used up here, whatever happens next; the other
	// tabs' flows stay (pending-sign-ins.ts).
	const { flow: pending, remaining } = takePendingFlow(openPendingFlows(cookies.get(flowCookie), rp.clientSecret), url.searchParams.get('state'), new Date());
	if (remaining.length) setRPCookie(cookies, flowCookie, sealPendingFlows(remaining, rp.clientSecret), secure);
	else deleteRPCookie(cookies, flowCookie, secure);
	// The flow inspector's record of this sign-in (undefined when FLOW_INSPECTOR is off).
	const recorder = flowRecorder('sign-in', 'Sign-in');
	let token: string;
	let expiresAt: Date;
	try {
		const metadata = await discoverProvider(issuer);
		recordFrontChannel(recorder, rp, metadata, pending, url);
		const { idToken, accessToken } = await finishSignIn(rp, metadata, pending, url.searchParams, recorder);
		if (recorder) recorder.token = decodeToken('ID token', idToken, { keepRaw: true });
		const claims = await verifyIDToken(idToken, { issuer, clientId: rp.clientId, jwksURI: metadata.jwks_uri, nonce: pending!.nonce, accessToken }, recorder);
		const { db } = await database();
		const created = await createRPSession(db, locals.origin, { ...claims, sub: claims.sub! }, idToken);
		({
			token,
			session: { expiresAt }
		} = created);
		if (recorder) {
			recorder.step({
				from: 'site',
				to: 'browser',
				label: `303 to ${pending?.returnTo ?? '/'}`,
				fields: [
					{
						name: 'Set-Cookie',
						value: `${rpSessionCookie(locals.origin, secure)} (HttpOnly, SameSite=Lax)`,
						note: "The site's own session; the provider session is separate."
					}
				],
				note: 'Every check passed: the site starts its own session from the verified claims.'
			});
			const sid = typeof claims.sid === 'string' ? claims.sid : undefined;
			await saveSignInFlow({ db, cookies, site: locals.origin, secure }, recorder.finish('succeeded', `Signed in as ${claims.sub}.`), {
				id: created.session.id,
				subject: created.session.subject,
				providerSessionId: sid,
				expiresAt
			});
		}
	} catch (e) {
		// An outage is not a failed verification: it gets the temporary-error page (outage.ts).
		if (isDatabaseUnavailable(e)) throw e;
		if (!(e instanceof SignInFailed)) console.error('[rp] sign-in failed', e);
		const message = e instanceof SignInFailed ? e.message : 'The ID token could not be verified, so you were not signed in.';
		if (recorder) {
			recorder.step({ from: 'site', to: 'browser', label: '200 "Sign-in failed"', fields: [], note: message });
			const { db } = await database();
			// Into the browser's current log when it has one: a forged callback (a cross-site link)
			// must not be able to wipe what a signed-in user's log holds.
			await saveBrowserFlow({ db, cookies, site: locals.origin, secure }, recorder.finish('failed', message), { openIfMissing: true });
			// A sign-in the common-issues lab started: the lab diagnoses the failure from the record.
			if (pending?.returnTo === '/lab') redirect(303, '/lab');
		}
		// A callback for no pending flow (the same tab finished already, a reload, a flow older
		// than 10 minutes) while this browser is signed in here: nothing was exchanged, so land
		// on the site with a notice rather than strand the person on an error page.
		if (!pending && locals.rpSession) redirect(303, `/?notice=${SIGN_IN_NOT_PENDING}`);
		return { message, inspector: recorder !== undefined };
	}
	setRPCookie(cookies, rpSessionCookie(locals.origin, secure), token, secure, expiresAt);
	redirect(303, pending!.returnTo);
};
