import { redirect } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { rpFlowCookie, setRPCookie } from '$lib/server/rp/cookies';
import { discoverProvider } from '$lib/server/rp/discovery';
import { startSignIn } from '$lib/server/rp/flow';
import { addPendingFlow, openPendingFlows, safeReturnPath, sealPendingFlows } from '$lib/server/rp/pending-sign-ins';
import { demoSite } from '$lib/server/rp/site';

/**
 * Sends the browser to the provider's authorization endpoint. The flow's state, nonce and PKCE
 * verifier join this browser's other pending sign-ins (pending-sign-ins.ts), so a sign-in
 * started in another tab keeps working.
 */
const signIn: RequestHandler = async ({ locals, cookies, url, request }) => {
	const { rp, issuer } = demoSite(locals.origin);
	const { url: authorizationURL, pending } = startSignIn(rp, await discoverProvider(issuer));
	const secure = url.protocol === 'https:';
	const name = rpFlowCookie(locals.origin, secure);
	const now = new Date();
	// A path on this site to come back to (the common-issues lab's cards ask for /lab): a form field or the query.
	const returnTo = safeReturnPath((request.method === 'POST' ? await returnToField(request) : null) ?? url.searchParams.get('return_to'));
	const flows = addPendingFlow(
		openPendingFlows(cookies.get(name), rp.clientSecret),
		{ ...pending, returnTo, createdAt: Math.floor(now.getTime() / 1000) },
		now
	);
	setRPCookie(cookies, name, sealPendingFlows(flows, rp.clientSecret), secure);
	redirect(303, authorizationURL.href);
};

async function returnToField(request: Request): Promise<FormDataEntryValue | null> {
	try {
		return (await request.formData()).get('return_to');
	} catch {
		return null;
	}
}

export const GET = signIn;
export const POST = signIn;
