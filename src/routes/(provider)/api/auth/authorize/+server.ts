import type { RequestEvent } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { config } from '$lib/server/config';
import { renderErrorPage, renderPage, runPageEndpoint } from '$lib/server/endpoint-pages';
import { authorizationEndpoint, type AuthorizationOutcome } from '$lib/server/oidc/authorization-endpoint';
import { OAuthError } from '$lib/server/oidc/errors';
import { readFormParameters } from '$lib/server/oidc/http';
import { provider } from '$lib/server/provider';
import { rejectedRequestError } from '$lib/server/rejected-request';

export const GET: RequestHandler = (event) => runPageEndpoint(event, () => authorize(event, event.url.searchParams, 'GET'));

// OIDC Core §3.1.2.1: the authorization endpoint accepts a form-encoded POST too.
export const POST: RequestHandler = (event) =>
	runPageEndpoint(event, async () => {
		let params: URLSearchParams;
		try {
			params = new URLSearchParams([...(await readFormParameters(event.request))]);
		} catch (e) {
			// Not a form, or a repeated parameter: no client is verified yet, so it is shown here.
			if (e instanceof OAuthError) return answer(event, { rejected: e });
			throw e;
		}
		return authorize(event, params, 'POST');
	});

async function authorize(event: RequestEvent, params: URLSearchParams, method: 'GET' | 'POST'): Promise<Response> {
	const outcome = await authorizationEndpoint(await provider(), params, event.locals.session, { method, explainRejections: config().developerPages });
	return answer(event, outcome);
}

function answer(event: RequestEvent, outcome: AuthorizationOutcome): Promise<Response> | Response {
	if ('redirect' in outcome) return new Response(null, { status: outcome.redirect.status, headers: { location: outcome.redirect.location } });
	if ('rejected' in outcome) return renderErrorPage(event, 400, rejectedRequestError(outcome.rejected, 'sign-in', outcome.developer));
	return renderPage(event, '/auth/sign-in-not-completed', 200, outcome.confirm);
}
