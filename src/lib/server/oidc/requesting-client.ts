import type { Database } from '../db';
import { validateAuthorizationRequest } from './authorize';
import { presentClient, type PresentedClient } from './client-names';

const AUTHORIZE_PATH = '/api/auth/authorize';

/** How the sign-in page names the application that asked: its name, logo and where it lives. */
export interface RequestingClient extends PresentedClient {
	/** The host of the verified redirect_uri: where the user will be sent back to. */
	host: string;
}

/**
 * The client behind a sign-in that continues an authorization request (`return_to` is the
 * authorization endpoint's URL), or null for any other sign-in. Only a request that passes
 * validation is named (OIDC Core §3.1.2.1: known client, registered redirect_uri), so a
 * crafted link cannot make the page say "to continue to <trusted name>" for another host.
 */
export async function requestingClient(db: Database, issuer: string, returnTo: string | null): Promise<RequestingClient | null> {
	if (!returnTo) return null;
	const url = new URL(returnTo, issuer);
	if (url.origin !== new URL(issuer).origin || url.pathname !== AUTHORIZE_PATH) return null;
	const validated = await validateAuthorizationRequest(db, url.searchParams);
	if (!('request' in validated)) return null;
	const { client, redirectURI } = validated.request;
	return { ...presentClient(client, issuer), host: new URL(redirectURI).host };
}
