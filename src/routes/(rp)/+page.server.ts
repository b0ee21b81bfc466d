import type { PageServerLoad } from './$types';
import { config } from '$lib/server/config';
import { rpInspectorCookie } from '$lib/server/rp/cookies';
import { demoSite } from '$lib/server/rp/site';

export const load: PageServerLoad = ({ locals, cookies, url }) => {
	const { site, issuer } = demoSite(locals.origin);
	const session = locals.rpSession;
	return {
		site: { title: site.title, clientId: site.clientId },
		issuer,
		pythonAPI: config().pythonAPIURL,
		signedOutEverywhere: locals.rpSignedOutEverywhere,
		// The callback of a sign-in that was no longer pending reached a signed-in browser (auth/callback).
		signInNotPending: session !== null && url.searchParams.get('notice') === 'sign-in-not-pending',
		// The flow inspector has something for this browser (a sign-in, or the flow that ended it).
		inspector: config().flowInspector && cookies.get(rpInspectorCookie(locals.origin, url.protocol === 'https:')) !== undefined,
		// The common-issues lab (/lab) is on with the inspector.
		lab: config().flowInspector,
		user: session && { subject: session.subject, claims: session.claims, expiresAt: session.expiresAt.toISOString() }
	};
};
