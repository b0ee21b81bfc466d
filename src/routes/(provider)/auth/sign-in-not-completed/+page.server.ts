import { error } from '@sveltejs/kit';
import { handedContent } from '$lib/server/endpoint-pages';
import type { ErrorRedirectConfirmation } from '$lib/server/oidc/authorize';
import type { DeveloperExplanation } from '$lib/server/oidc/request-rules';
import type { PageServerLoad } from './$types';

/**
 * The page the authorization endpoint shows instead of redirecting an error to a self-registered
 * client (RFC 9700 §4.11.2), rendered for it by endpoint-pages.ts. Nobody else can reach it:
 * the destination and texts come only from the endpoint.
 */
export const load: PageServerLoad = (event) => {
	const confirmation = handedContent<ErrorRedirectConfirmation & { developer?: DeveloperExplanation }>(event);
	if (!confirmation) error(404, 'Not Found');
	return { confirmation };
};
