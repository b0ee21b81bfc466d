import { error } from '@sveltejs/kit';
import { OAuthError } from './oidc/errors';
import { readFormParameters } from './oidc/http';
import type { DeveloperExplanation } from './oidc/request-rules';

/**
 * A protocol request that cannot be answered by redirect (unverified client or redirect URI,
 * bad logout request), as the provider's error page shows it. `request` says what was asked
 * for, so a rejected logout is not headed as a rejected sign-in.
 */
export function rejectedRequestError(e: OAuthError, request: 'sign-in' | 'sign-out' = 'sign-in', developer?: DeveloperExplanation): App.Error {
	return { message: e.description, code: e.code, request, ...(developer && { developer }) };
}

/** Shows a rejected protocol request on a page route's error page, as a 400. */
export function showRejectedRequest(e: OAuthError, request: 'sign-in' | 'sign-out' = 'sign-in', developer?: DeveloperExplanation): never {
	error(400, rejectedRequestError(e, request, developer));
}

/** A form-encoded POST body as parameters; anything else is shown as a rejected request. */
export async function formParameters(request: Request, kind: 'sign-in' | 'sign-out' = 'sign-in'): Promise<URLSearchParams> {
	try {
		return new URLSearchParams([...(await readFormParameters(request))]);
	} catch (e) {
		if (e instanceof OAuthError) showRejectedRequest(e, kind);
		throw e;
	}
}
