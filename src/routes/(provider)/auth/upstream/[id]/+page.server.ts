import { error, redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { safeReturnTo } from '$lib/server/auth/return-to';
import { beginUpstreamSignIn, UpstreamError } from '$lib/server/auth/upstream';
import { setFlowCookie, signInHref } from '$lib/server/auth/upstream-cookies';
import { config } from '$lib/server/config';
import { upstreamById, upstreamCallbackURL } from '$lib/server/config-upstreams';

/** "Continue with GitHub": remembers state, nonce and PKCE verifier in this browser, then goes to the upstream. */
export const load: PageServerLoad = async ({ params, url, cookies }) => {
	const settings = config();
	const returnTo = safeReturnTo(url.searchParams.get('return_to'));
	const back = { href: signInHref(returnTo), label: 'Back to sign-in' };
	const upstream = upstreamById(settings.upstreams, params.id);
	if (!upstream) error(404, { message: 'This provider does not offer that way of signing in.', back });
	let started;
	try {
		started = await beginUpstreamSignIn({
			upstream,
			callbackURL: upstreamCallbackURL(settings.issuer, upstream.id),
			timeoutMs: settings.upstreams.timeoutSeconds * 1000
		});
	} catch (failure) {
		if (!(failure instanceof UpstreamError)) throw failure;
		console.warn(`[sso] upstream ${upstream.id}: ${failure.failure} (${failure.detail ?? failure.message})`);
		error(failure.status, { message: failure.message, back });
	}
	setFlowCookie(cookies, upstream.id, { flow: started.flow, returnTo }, url.protocol === 'https:');
	redirect(302, started.url.href);
};
