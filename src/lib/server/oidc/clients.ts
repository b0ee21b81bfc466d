import type { Database } from '../db';
import { selectClientByID } from '../db/queries/clients';
import { clients } from '../db/schema';
import { hashSecret, secretMatchesHash } from '../secrets';
import { InvalidClient, InvalidRequest } from './errors';
import { DEFAULT_GRANT_TYPES } from './grant-types';
import type { SigningAlgorithm } from './keys';

import type { TokenEndpointAuthMethod } from '../db/schema/clients';

export type { TokenEndpointAuthMethod };

export interface Client {
	id: string;
	name: string;
	redirectURIs: string[];
	postLogoutRedirectURIs: string[];
	tokenEndpointAuthMethod: TokenEndpointAuthMethod;
	backchannelLogoutURI: string | null;
	idTokenSignedResponseAlg: SigningAlgorithm;
	grantTypes: string[];
	logoURI: string | null;
	clientURI: string | null;
	policyURI: string | null;
	tosURI: string | null;
	trusted: boolean;
	/** Registered through open registration: unverified, nothing about it is vouched for. */
	selfRegistered: boolean;
	/** API scopes an operator allowed (RFC 8707 resources' scopes); OIDC scopes need no listing. */
	allowedScopes: string[];
	/** Resource server identifiers (token audiences) an operator allowed. */
	allowedResources: string[];
}

export interface NewClient {
	id: string;
	/** Plain secret; only its hash is stored. Omit for public clients. */
	secret?: string;
	name: string;
	redirectURIs: string[];
	postLogoutRedirectURIs?: string[];
	tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
	backchannelLogoutURI?: string;
	idTokenSignedResponseAlg?: SigningAlgorithm;
	grantTypes?: string[];
	logoURI?: string;
	clientURI?: string;
	policyURI?: string;
	tosURI?: string;
	trusted?: boolean;
	selfRegistered?: boolean;
	allowedScopes?: string[];
	allowedResources?: string[];
	/** Plain RFC 7592 registration access token; only its hash is stored. */
	registrationAccessToken?: string;
}

export async function findClient(db: Database, clientId: string): Promise<Client | undefined> {
	const row = await selectClientByID(db, clientId);
	if (!row) return undefined;
	const { secretHash: _, ...client } = row;
	return client;
}

/** Registers a client, or replaces the registration with the same id (used by the seed). */
export async function saveClient(db: Database, client: NewClient, now = new Date()): Promise<void> {
	const values = {
		id: client.id,
		secretHash: client.secret ? hashSecret(client.secret) : null,
		name: client.name,
		redirectURIs: client.redirectURIs,
		postLogoutRedirectURIs: client.postLogoutRedirectURIs ?? [],
		tokenEndpointAuthMethod: client.tokenEndpointAuthMethod ?? (client.secret ? 'client_secret_basic' : 'none'),
		backchannelLogoutURI: client.backchannelLogoutURI ?? null,
		idTokenSignedResponseAlg: client.idTokenSignedResponseAlg ?? 'RS256',
		grantTypes: client.grantTypes ?? [...DEFAULT_GRANT_TYPES],
		logoURI: client.logoURI ?? null,
		clientURI: client.clientURI ?? null,
		policyURI: client.policyURI ?? null,
		tosURI: client.tosURI ?? null,
		trusted: client.trusted ?? false,
		selfRegistered: client.selfRegistered ?? false,
		allowedScopes: client.allowedScopes ?? [],
		allowedResources: client.allowedResources ?? [],
		registrationAccessTokenHash: client.registrationAccessToken ? hashSecret(client.registrationAccessToken) : null
	};
	await db
		.insert(clients)
		.values({ ...values, createdAt: now })
		.onConflictDoUpdate({ target: clients.id, set: values });
}

/**
 * RFC 6749 §2.3 client authentication at the token, introspection and revocation endpoints:
 * HTTP Basic or credentials in the body (never both, §2.3.1), or only `client_id` for public
 * clients, and only by the method the client registered (RFC 7591 §2
 * `token_endpoint_auth_method`): a secret that leaked from one channel (logs of form bodies,
 * say) must not work through the other.
 */
export async function authenticateClient(db: Database, authorization: string | null, params: Map<string, string>): Promise<Client> {
	const basic = parseBasicCredentials(authorization);
	const bodyId = params.get('client_id');
	const bodySecret = params.get('client_secret');
	if (basic && bodySecret !== undefined) throw new InvalidRequest('use either HTTP Basic or client_secret in the body, not both');
	if (basic && bodyId !== undefined && bodyId !== basic.id) throw new InvalidRequest('client_id does not match the Basic credentials');
	const clientId = basic?.id ?? bodyId;
	if (!clientId) throw new InvalidClient('client authentication is required');
	const row = await selectClientByID(db, clientId);
	if (!row) throw new InvalidClient();
	const { secretHash, ...client } = row;
	const secret = basic?.secret ?? bodySecret;
	const used: TokenEndpointAuthMethod = basic ? 'client_secret_basic' : bodySecret !== undefined ? 'client_secret_post' : 'none';
	if (client.tokenEndpointAuthMethod === 'none') {
		if (secret !== undefined) throw new InvalidClient('this client is public and has no secret');
		return client;
	}
	if (secret === undefined || !secretHash || !secretMatchesHash(secret, secretHash)) throw new InvalidClient();
	// Checked after the secret, so a wrong guess learns nothing about the registered method.
	if (used !== client.tokenEndpointAuthMethod) throw new InvalidClient(`this client authenticates with ${client.tokenEndpointAuthMethod}, not ${used}`);
	return client;
}

/** RFC 6749 §2.3.1: id and secret are form-urlencoded before being joined with ':'. */
function parseBasicCredentials(header: string | null): { id: string; secret: string } | null {
	if (!header || !/^basic /i.test(header)) return null;
	let decoded: string;
	try {
		decoded = atob(header.slice(6).trim());
	} catch {
		throw new InvalidClient('malformed Basic credentials');
	}
	const colon = decoded.indexOf(':');
	if (colon < 0 || decoded.includes('\0')) throw new InvalidClient('malformed Basic credentials');
	let credentials: { id: string; secret: string };
	try {
		credentials = {
			id: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')),
			secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '))
		};
	} catch {
		throw new InvalidClient('malformed Basic credentials');
	}
	if (credentials.id.includes('\0') || credentials.secret.includes('\0')) throw new InvalidClient('malformed Basic credentials');
	return credentials;
}
