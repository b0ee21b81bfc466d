import type { PageServerLoad } from './$types';
import { config } from '$lib/server/config';
import { database } from '$lib/server/db/instance';
import { rpInspectorCookie } from '$lib/server/rp/cookies';
import { browserFlows } from '$lib/server/rp/flow-inspector';
import { demoSite } from '$lib/server/rp/site';

/**
 * "What just happened": the flows this browser's own inspector cookie opens at this site.
 * Nothing is shared: no cookie (another browser, another site's cookie) means no flows.
 */
export const load: PageServerLoad = async ({ locals, cookies, url, setHeaders }) => {
	// Claims and protocol details of one person: never kept by a shared cache.
	setHeaders({ 'cache-control': 'no-store' });
	const { site } = demoSite(locals.origin);
	const enabled = config().flowInspector;
	if (!enabled) return { enabled, siteTitle: site.title, signedIn: locals.rpSession !== null, flows: [] };
	const { db } = await database();
	const token = cookies.get(rpInspectorCookie(locals.origin, url.protocol === 'https:'));
	const flows = await browserFlows({ db, site: locals.origin, secure: url.protocol === 'https:', token });
	return { enabled, siteTitle: site.title, signedIn: locals.rpSession !== null, flows };
};
