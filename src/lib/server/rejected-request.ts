import { error } from '@sveltejs/kit';
import { OAuthError } from './oidc/errors';
import { readFormParameters } from './oidc/http';
import type { DeveloperExplanation } from './oidc/request-rules';

/**
 * Shows a protocol request that cannot be answered by redirect (unverified client or
 * redirect URI, bad logout request) on the provider's error page, as a 400. `request` says
 * what was asked for, so a rejected logout is not headed as a rejected sign-in.
 */
export function showRejectedRequest(e: OAuthError, request: 'sign-in' | 'sign-out' = 'sign-in', developer?: DeveloperExplanation): never {
	error(400, { message: e.description, code: e.code, request, ...(developer && { developer }) });
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
