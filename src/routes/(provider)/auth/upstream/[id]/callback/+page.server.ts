import { error, redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { signInOrAskSecondFactor } from '$lib/server/auth/second-factor-sign-in';
import { signInOrigin } from '$lib/server/auth/sign-in-origin';
import { checkUpstreamCallback, completeUpstreamSignIn, UpstreamError } from '$lib/server/auth/upstream';
import { resolveUpstreamSignIn } from '$lib/server/auth/upstream-accounts';
import { LINK_PATH, setLinkCookie, signInHref, takeFlowCookie } from '$lib/server/auth/upstream-cookies';
import { config } from '$lib/server/config';
import { upstreamById, upstreamCallbackURL } from '$lib/server/config-upstreams';
import { database } from '$lib/server/db/instance';

/** The upstream's redirect back (RFC 6749 §4.1.2): check, exchange, then sign in, link or refuse. */
export const load: PageServerLoad = async ({ params, url, cookies, locals, request, getClientAddress }) => {
	const settings = config();
	const secure = url.protocol === 'https:';
	const upstream = upstreamById(settings.upstreams, params.id);
	if (!upstream) error(404, { message: 'This provider does not offer that way of signing in.', back: { href: '/auth/login', label: 'Back to sign-in' } });
	const stored = takeFlowCookie(cookies, upstream.id, secure);
	const returnTo = stored?.returnTo ?? null;
	const back = { href: signInHref(returnTo), label: 'Back to sign-in' };
	const context = { upstream, callbackURL: upstreamCallbackURL(settings.issuer, upstream.id), timeoutMs: settings.upstreams.timeoutSeconds * 1000 };
	let profile;
	try {
		const code = checkUpstreamCallback(upstream, url.searchParams, stored?.flow ?? null);
		profile = await completeUpstreamSignIn(context, stored!.flow, code);
	} catch (failure) {
		if (!(failure instanceof UpstreamError)) throw failure;
		console.warn(`[sso] upstream ${upstream.id}: ${failure.failure} (${failure.detail ?? failure.message})`);
		error(failure.status, { message: failure.message, back });
	}
	const { db } = await database();
	const result = await resolveUpstreamSignIn(db, profile);
	if (result.outcome === 'no-verified-email') {
		const where =
			upstream.kind === 'github' ? 'Make a verified address your primary one in GitHub’s email settings' : `Verify your address at ${upstream.name}`;
		error(403, {
			message:
				`${upstream.name} did not confirm an email address for your account, so this provider cannot sign you in with it. ` +
				`${where}, then try again, or sign in another way.`,
			back
		});
	}
	if (result.outcome === 'link-required') {
		setLinkCookie(cookies, { token: result.pendingToken, returnTo }, secure);
		redirect(303, LINK_PATH);
	}
	const signIn = {
		userId: result.userId,
		amr: result.amr,
		method: upstream.id,
		origin: signInOrigin({ request, getClientAddress }),
		replacing: locals.session?.id
	};
	redirect(303, await signInOrAskSecondFactor(db, cookies, secure, signIn, returnTo, settings.twoFactorPendingSeconds));
};
