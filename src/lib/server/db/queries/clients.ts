import { eq, sql } from 'drizzle-orm';
import type { Database } from '../index';
import { preparedQuery } from '../prepared';
import { clients } from '../schema';

/** The columns of a registered client that protocol code reads (oidc/clients.ts `Client`). */
export const CLIENT_COLUMNS = {
	id: clients.id,
	name: clients.name,
	redirectURIs: clients.redirectURIs,
	postLogoutRedirectURIs: clients.postLogoutRedirectURIs,
	tokenEndpointAuthMethod: clients.tokenEndpointAuthMethod,
	backchannelLogoutURI: clients.backchannelLogoutURI,
	idTokenSignedResponseAlg: clients.idTokenSignedResponseAlg,
	grantTypes: clients.grantTypes,
	logoURI: clients.logoURI,
	clientURI: clients.clientURI,
	policyURI: clients.policyURI,
	tosURI: clients.tosURI,
	trusted: clients.trusted,
	selfRegistered: clients.selfRegistered,
	allowedScopes: clients.allowedScopes,
	allowedResources: clients.allowedResources
};

// Read by every token, introspection and revocation request and every authorization request.
const clientByIDStatement = preparedQuery((db) =>
	db
		.select({ ...CLIENT_COLUMNS, secretHash: clients.secretHash })
		.from(clients)
		.where(eq(clients.id, sql.placeholder('id')))
		.limit(1)
		.prepare('client_by_id')
);

/** The client with this id and its secret's hash, or undefined. */
export async function selectClientByID(db: Database, id: string) {
	const [row] = await clientByIDStatement(db).execute({ id });
	return row;
}
