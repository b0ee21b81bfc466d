import { redirect } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { rpFlowCookie, setRPCookie } from '$lib/server/rp/cookies';
import { discoverProvider } from '$lib/server/rp/discovery';
import { serializePendingSignIn, startSignIn } from '$lib/server/rp/flow';
import { demoSite } from '$lib/server/rp/site';

/** Sends the browser to the provider's authorization endpoint; state, nonce and PKCE verifier wait in a cookie. */
const signIn: RequestHandler = async ({ locals, cookies, url }) => {
	const { rp, issuer } = demoSite(locals.origin);
	// The common-issues lab's cards sign in and come back to the lab (a fixed place, not a URL).
	const returnTo = url.searchParams.get('return_to') === 'lab' ? 'lab' : undefined;
	const { url: authorizationURL, pending } = startSignIn(rp, await discoverProvider(issuer), returnTo);
	const secure = url.protocol === 'https:';
	setRPCookie(cookies, rpFlowCookie(locals.origin, secure), serializePendingSignIn(pending), secure);
	redirect(303, authorizationURL.href);
};

export const GET = signIn;
export const POST = signIn;
