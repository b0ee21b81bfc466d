import type { Actions, PageServerLoad } from './$types';
import { formParameters } from '$lib/server/rejected-request';
import { authorizationEndpoint } from './authorization-endpoint';

// A page route rather than +server.ts so that a rejected request renders the provider's
// error page, and an error for a self-registered client the page that asks before going there.
// After the POST action Kit runs load too, for a URL without the request: nothing to do then.
export const load: PageServerLoad = ({ url, locals, request }) =>
	request.method === 'POST' ? { confirmation: null } : authorizationEndpoint(url.searchParams, locals.session, 'GET');

export const actions: Actions = {
	// OIDC Core §3.1.2.1: the authorization endpoint must accept POST (form-encoded) too.
	default: async ({ request, locals }) => authorizationEndpoint(await formParameters(request), locals.session, 'POST')
};
