import { eq } from 'drizzle-orm';
import type { Database } from '../db';
import { clients } from '../db/schema';
import { secretMatchesHash } from '../secrets';
import { reservedClientNames } from './client-names';
import { InvalidToken } from './errors';
import { OPEN_REGISTRATION_POLICY } from './initial-access-tokens';
import { clientInformation, InvalidClientMetadata, validateClientMetadata } from './registration';
import type { OutboundPolicy } from '../outbound-request';

type ClientRow = typeof clients.$inferSelect;

/**
 * RFC 7592 §2: the client behind a client configuration request, if the registration access
 * token is the one issued for it. An unknown client, a client an operator set up (it has no
 * such token) and a wrong token are all the same 401 invalid_token, so the endpoint says
 * nothing about which clients exist.
 */
export async function authorizeClientConfiguration(db: Database, clientId: string, token: string): Promise<ClientRow> {
	const [row] = await db.select().from(clients).where(eq(clients.id, clientId)).limit(1);
	if (!row?.registrationAccessTokenHash || !secretMatchesHash(token, row.registrationAccessTokenHash)) {
		throw new InvalidToken('the registration access token is not valid for this client');
	}
	return row;
}

/** RFC 7592 §2.1: the client's current registration (its secret is stored hashed and is not repeated). */
export function readClientConfiguration(row: ClientRow, issuer: string) {
	return clientInformation(
		{
			...row,
			backchannelLogoutURI: row.backchannelLogoutURI ?? undefined,
			logoURI: row.logoURI ?? undefined,
			clientURI: row.clientURI ?? undefined,
			policyURI: row.policyURI ?? undefined,
			tosURI: row.tosURI ?? undefined
		},
		row.createdAt,
		issuer
	);
}

// RFC 7592 §2.2: fields a client may echo back from its registration response; they are not metadata.
const ECHOED_FIELDS = ['client_id', 'client_secret', 'registration_access_token', 'registration_client_uri', 'client_id_issued_at', 'client_secret_expires_at'];

/**
 * RFC 7592 §2.2: replaces the client's metadata with the request's, under the same rules as
 * registration. The client cannot raise its own permissions: the ceiling is open
 * registration's plus what it already has. Its id, secret, auth method and trust stay.
 */
export async function updateClientConfiguration(db: Database, row: ClientRow, metadata: unknown, issuer: string, outbound?: OutboundPolicy) {
	if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
		throw new InvalidClientMetadata('send the client metadata as a JSON object');
	const m = metadata as Record<string, unknown>;
	if (m.client_id !== row.id) throw new InvalidClientMetadata("client_id must be sent and be this client's (RFC 7592 §2.2)");
	if (m.client_secret !== undefined && (typeof m.client_secret !== 'string' || !row.secretHash || !secretMatchesHash(m.client_secret, row.secretHash))) {
		throw new InvalidClientMetadata('client_secret does not match the one issued');
	}
	const rest = Object.fromEntries(Object.entries(m).filter(([key]) => !ECHOED_FIELDS.includes(key)));
	const policy = {
		grantTypes: [...new Set([...OPEN_REGISTRATION_POLICY.grantTypes, ...row.grantTypes])],
		scopes: row.allowedScopes,
		resources: row.allowedResources
	};
	const reservedNames = row.selfRegistered ? await reservedClientNames(db, row.id) : [];
	const validated = await validateClientMetadata({ token_endpoint_auth_method: row.tokenEndpointAuthMethod, ...rest }, policy, reservedNames, issuer, outbound);
	if (validated.tokenEndpointAuthMethod !== row.tokenEndpointAuthMethod)
		throw new InvalidClientMetadata('token_endpoint_auth_method cannot be changed; register a new client');
	const values = {
		name: validated.name,
		redirectURIs: validated.redirectURIs,
		postLogoutRedirectURIs: validated.postLogoutRedirectURIs,
		grantTypes: validated.grantTypes,
		idTokenSignedResponseAlg: validated.idTokenSignedResponseAlg,
		allowedScopes: validated.allowedScopes,
		allowedResources: validated.allowedResources,
		backchannelLogoutURI: validated.backchannelLogoutURI ?? null,
		logoURI: validated.logoURI ?? null,
		clientURI: validated.clientURI ?? null,
		policyURI: validated.policyURI ?? null,
		tosURI: validated.tosURI ?? null
	};
	const [updated] = await db.update(clients).set(values).where(eq(clients.id, row.id)).returning();
	return readClientConfiguration(updated, issuer);
}

/** RFC 7592 §2.3: deletes the client; its grants, codes and tokens go with it (foreign keys cascade). */
export async function deleteClientConfiguration(db: Database, row: ClientRow): Promise<void> {
	await db.delete(clients).where(eq(clients.id, row.id));
}
