import type { Database } from '../db';
import { SUPPORTED_SCOPES } from './claims';
import type { Client } from './clients';
import { InvalidScope, InvalidTarget } from './errors';
import { findResourceServers, isResourceIdentifier, type ResourceServer } from './resource-servers';

/** What a client_credentials token is for: one API (its `aud`) and scopes it defines. */
export interface ResourceGrant {
	audience: string;
	scope: string;
}

/**
 * Decides the audience and scope of a client_credentials access token (RFC 6749 §4.4.2 with
 * RFC 8707 §2). A client gets only scopes and resources an operator allowed it, and only
 * scopes the resource server defines; anything else is an error, never silently granted:
 * - `resource` names the API; unknown, unallowed or malformed → invalid_target.
 * - Without `resource`, the API is the one allowed resource that defines every requested
 *   scope, or the client's only allowed resource when no scope is asked for.
 * - Without `scope`, the token carries every scope of that API allowed to the client
 *   (RFC 6749 §3.3 default). OIDC scopes are about a user and are left out.
 */
export async function resolveResourceGrant(db: Database, client: Client, params: Map<string, string>): Promise<ResourceGrant> {
	const requested = [...new Set((params.get('scope') ?? '').split(' ').filter((s) => s && !SUPPORTED_SCOPES.includes(s)))];
	const resource = params.get('resource');
	if (resource !== undefined && !isResourceIdentifier(resource)) throw new InvalidTarget('resource must be an absolute URI without a fragment');
	const allowed = await findResourceServers(db, client.allowedResources);
	let server: ResourceServer | undefined;
	if (resource !== undefined) {
		server = allowed.find((s) => s.id === resource);
		if (!server) throw new InvalidTarget(`this client may not request tokens for resource "${resource}"`);
	} else if (requested.length > 0) {
		const candidates = allowed.filter((s) => requested.every((scope) => s.scopes.includes(scope)));
		if (candidates.length > 1) throw new InvalidTarget('the scopes belong to several resources: say which with the resource parameter');
		server = candidates[0];
		if (!server) throw new InvalidScope(`scope "${requested.find((scope) => !allowed.some((s) => s.scopes.includes(scope)))}" is not allowed for this client`);
	} else {
		if (allowed.length !== 1) throw new InvalidTarget('say which resource the token is for with the resource parameter (RFC 8707)');
		server = allowed[0];
	}
	const permitted = server.scopes.filter((s) => client.allowedScopes.includes(s));
	const unallowed = requested.find((s) => !permitted.includes(s));
	if (unallowed) throw new InvalidScope(`scope "${unallowed}" is not allowed for this client at ${server.id}`);
	return { audience: server.id, scope: (requested.length ? requested : permitted).join(' ') };
}
