import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { database } from '$lib/server/db/instance';
import { isDatabaseUnavailable } from '$lib/server/db/outage';
import { deleteRPCookie, rpFlowCookie, rpSessionCookie, setRPCookie } from '$lib/server/rp/cookies';
import { discoverProvider } from '$lib/server/rp/discovery';
import { finishSignIn, parsePendingSignIn, SignInFailed } from '$lib/server/rp/flow';
import { createRPSession } from '$lib/server/rp/session';
import { demoSite } from '$lib/server/rp/site';
import { verifyIDToken } from '$lib/server/rp/verify';

export const load: PageServerLoad = async ({ locals, cookies, url }) => {
	const { rp, issuer } = demoSite(locals.origin);
	const secure = url.protocol === 'https:';
	const flowCookie = rpFlowCookie(locals.origin, secure);
	const pending = parsePendingSignIn(cookies.get(flowCookie));
	deleteRPCookie(cookies, flowCookie, secure);
	let token: string;
	let expiresAt: Date;
	try {
		const metadata = await discoverProvider(issuer);
		const { idToken } = await finishSignIn(rp, metadata, pending, url.searchParams);
		const claims = await verifyIDToken(idToken, { issuer, clientId: rp.clientId, jwksURI: metadata.jwks_uri, nonce: pending!.nonce });
		const { db } = await database();
		({ token, session: { expiresAt } } = await createRPSession(db, locals.origin, { ...claims, sub: claims.sub! }, idToken));
	} catch (e) {
		// An outage is not a failed verification: it gets the temporary-error page (outage.ts).
		if (isDatabaseUnavailable(e)) throw e;
		if (!(e instanceof SignInFailed)) console.error('[rp] sign-in failed', e);
		return { message: e instanceof SignInFailed ? e.message : 'The ID token could not be verified, so you were not signed in.' };
	}
	setRPCookie(cookies, rpSessionCookie(locals.origin, secure), token, secure, expiresAt);
	redirect(303, '/');
};
