import type { PageServerLoad } from './$types';
import { config } from '$lib/server/config';
import { demoSite } from '$lib/server/rp/site';

export const load: PageServerLoad = ({ locals }) => {
	const { site, issuer } = demoSite(locals.origin);
	const session = locals.rpSession;
	return {
		site: { title: site.title, clientId: site.clientId },
		issuer,
		pythonAPI: config().pythonAPIURL,
		signedOutEverywhere: locals.rpSignedOutEverywhere,
		user: session && { subject: session.subject, claims: session.claims, expiresAt: session.expiresAt.toISOString() }
	};
};
