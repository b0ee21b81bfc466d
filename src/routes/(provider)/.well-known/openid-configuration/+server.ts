import type { RequestHandler } from './$types';
import { discoveryDocument } from '$lib/server/oidc/discovery';
import { config } from '$lib/server/config';

let document: string | undefined;

/** OpenID Connect Discovery 1.0 §4: built once per process; it changes only with the config. */
export const GET: RequestHandler = () => {
	const { issuer, allowDynamicClientRegistration } = config();
	document ??= JSON.stringify(discoveryDocument(issuer, { registration: allowDynamicClientRegistration }));
	return new Response(document, {
		headers: { 'Content-Type': 'application/json', 'Cache-Control': 'public, max-age=3600' }
	});
};
