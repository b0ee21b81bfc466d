import type { Database } from '../db';
import { readJSONObject } from '../auth/json-body';
import { generateSecret } from '../secrets';
import { saveClient, type NewClient, type TokenEndpointAuthMethod } from './clients';
import { OAuthError } from './errors';
import { isSigningAlgorithm } from './keys';
import { DEFAULT_GRANT_TYPES, GRANT_TYPES, isGrantType } from './grant-types';
import { checkRegisteredURI, OutboundRequestRefused, outboundPolicy, type OutboundPolicy } from '../outbound-request';
import { SUPPORTED_SCOPES } from './claims';
import { impersonates, MAX_CLIENT_NAME_LENGTH, normalizeClientName, reservedClientNames } from './client-names';
import { findInitialAccessToken, OPEN_REGISTRATION_POLICY, spendInitialAccessToken, type RegistrationPolicy } from './initial-access-tokens';

/** RFC 7591 §3.2.2 error codes. */
export class InvalidRedirectURI extends OAuthError {
	constructor(description: string) {
		super('invalid_redirect_uri', description);
	}
}
export class InvalidClientMetadata extends OAuthError {
	constructor(description: string) {
		super('invalid_client_metadata', description);
	}
}

// Fields only an operator may set. Registration is open to anyone, so a client that asks
// for them is refused outright rather than silently downgraded.
const PRIVILEGED_FIELDS = [
	'trusted',
	'skip_consent',
	'skipConsent',
	'client_id',
	'client_secret',
	'first_party',
	'allowed_scopes',
	'allowed_resources',
	'self_registered'
];
const AUTH_METHODS: TokenEndpointAuthMethod[] = ['client_secret_basic', 'client_secret_post', 'none'];
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Size caps on registered metadata (issue #6 finding 6): what one registration may store.
 * Real clients need a handful of short URIs; a generous cap is an invitation to fill the
 * database with junk at wire speed.
 */
export const METADATA_LIMITS = {
	/** The whole JSON body, in bytes (over it: 413). */
	bodyBytes: 8 * 1024,
	/** Each URI, in characters. */
	uriLength: 512,
	redirectURIs: 10,
	postLogoutRedirectURIs: 10,
	/** The `scope` metadata (RFC 7591 §2), in characters. */
	scopeLength: 1000
} as const;

/**
 * A redirect-style URI a client may register: absolute, no fragment (RFC 6749 §3.1.2),
 * https, or http only on a loopback host (RFC 8252 §7.3).
 */
export function isAcceptableClientURI(value: unknown): value is string {
	if (typeof value !== 'string') return false;
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		return false;
	}
	if (url.hash || value.includes('#')) return false;
	return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
}

function uriList(value: unknown, field: string, required: boolean): string[] {
	if (value === undefined && !required) return [];
	if (!Array.isArray(value) || (required && value.length === 0)) throw new InvalidRedirectURI(`${field} must be a non-empty array of URIs`);
	const max = field === 'redirect_uris' ? METADATA_LIMITS.redirectURIs : METADATA_LIMITS.postLogoutRedirectURIs;
	if (value.length > max) throw new InvalidClientMetadata(`${field} may hold at most ${max} URIs`);
	for (const uri of value) {
		if (typeof uri === 'string' && uri.length > METADATA_LIMITS.uriLength)
			throw new InvalidClientMetadata(`${field}: each URI may be at most ${METADATA_LIMITS.uriLength} characters`);
		if (!isAcceptableClientURI(uri)) throw new InvalidRedirectURI(`${field}: "${String(uri)}" must be https (or http on localhost) without a fragment`);
	}
	return value as string[];
}

function optionalURI(value: unknown, field: string): string | undefined {
	if (value === undefined) return undefined;
	if (typeof value === 'string' && value.length > METADATA_LIMITS.uriLength)
		throw new InvalidClientMetadata(`${field} may be at most ${METADATA_LIMITS.uriLength} characters`);
	if (!isAcceptableClientURI(value)) throw new InvalidClientMetadata(`${field} must be an https URI (or http on localhost) without a fragment`);
	return value;
}

/**
 * The provider POSTs to this URI itself, so it must not point into the provider's own
 * networks (request forgery): the host may not be, or resolve to, a private, loopback,
 * link-local or other special-purpose address. Checked again at every send (logout.ts).
 */
async function backchannelURI(value: unknown, issuer: string | undefined, outbound: OutboundPolicy | undefined): Promise<string | undefined> {
	const uri = optionalURI(value, 'backchannel_logout_uri');
	if (uri === undefined) return uri;
	const policy = outbound ?? (issuer ? outboundPolicy(issuer) : { allowLoopback: false, allowedHosts: new Set<string>() });
	if (!uri.startsWith('https:') && !policy.allowLoopback) throw new InvalidClientMetadata('backchannel_logout_uri must be https');
	try {
		await checkRegisteredURI(uri, policy);
	} catch (error) {
		if (error instanceof OutboundRequestRefused)
			throw new InvalidClientMetadata(`backchannel_logout_uri: ${error.message}; the provider sends logout tokens only to public hosts`);
		throw error;
	}
	return uri;
}

/** RFC 7591 §3.2.1 registration response (client metadata plus credentials), with RFC 7592 §3's additions. */
export interface RegistrationResponse {
	client_id: string;
	client_secret?: string;
	client_id_issued_at: number;
	client_secret_expires_at?: number;
	registration_access_token?: string;
	registration_client_uri?: string;
	[metadata: string]: unknown;
}

/** The client metadata a registration (or an RFC 7592 update) may set, validated. */
export type RegisteredMetadata = Required<
	Pick<
		NewClient,
		| 'name'
		| 'redirectURIs'
		| 'postLogoutRedirectURIs'
		| 'tokenEndpointAuthMethod'
		| 'grantTypes'
		| 'idTokenSignedResponseAlg'
		| 'allowedScopes'
		| 'allowedResources'
	>
> &
	Pick<NewClient, 'backchannelLogoutURI' | 'logoURI' | 'clientURI' | 'policyURI' | 'tosURI'>;

/**
 * RFC 7591 §2 metadata checks, shared by registration and RFC 7592 update. `policy` is what
 * the registrant may get beyond the metadata rules: open registration gets the user-facing
 * grants only; an initial access token (or, on update, the client's current permissions) may
 * allow client_credentials, API scopes and resources. `reservedNames` are names of clients an
 * operator set up, which a registrant may not take (impersonation on the consent page).
 */
export async function validateClientMetadata(
	metadata: unknown,
	policy: RegistrationPolicy,
	reservedNames: string[],
	issuer?: string,
	outbound?: OutboundPolicy
): Promise<RegisteredMetadata> {
	if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
		throw new InvalidClientMetadata('send the client metadata as a JSON object');
	const m = metadata as Record<string, unknown>;
	const privileged = PRIVILEGED_FIELDS.filter((f) => f in m);
	if (privileged.length) throw new InvalidClientMetadata(`these fields cannot be registered: ${privileged.join(', ')}`);

	const redirectURIs = uriList(m.redirect_uris, 'redirect_uris', true);
	const postLogoutRedirectURIs = uriList(m.post_logout_redirect_uris, 'post_logout_redirect_uris', false);
	const authMethod = (m.token_endpoint_auth_method ?? 'client_secret_basic') as TokenEndpointAuthMethod;
	if (!AUTH_METHODS.includes(authMethod)) throw new InvalidClientMetadata(`token_endpoint_auth_method must be one of ${AUTH_METHODS.join(', ')}`);
	const grantTypes = m.grant_types ?? [...DEFAULT_GRANT_TYPES];
	if (!Array.isArray(grantTypes) || grantTypes.some((g) => !isGrantType(g))) {
		throw new InvalidClientMetadata(`grant_types must be drawn from ${GRANT_TYPES.join(', ')}`);
	}
	if (authMethod === 'none' && grantTypes.includes('client_credentials')) throw new InvalidClientMetadata('a public client cannot use client_credentials');
	// Issue #6 finding 2: a token for an API is the operator's to allow, never a registrant's.
	const notAllowed = (grantTypes as string[]).find((g) => !policy.grantTypes.includes(g));
	if (notAllowed) throw new InvalidClientMetadata(`grant_type "${notAllowed}" needs an initial access token from the operator that allows it`);
	const scopes = scopeList(m.scope, policy);
	const responseTypes = m.response_types ?? ['code'];
	if (!Array.isArray(responseTypes) || responseTypes.some((r) => r !== 'code')) throw new InvalidClientMetadata('response_types must be ["code"]');
	const alg = m.id_token_signed_response_alg ?? 'RS256';
	if (!isSigningAlgorithm(alg)) throw new InvalidClientMetadata('id_token_signed_response_alg must be RS256, ES256 or EdDSA');

	return {
		name: clientName(m.client_name, reservedNames),
		redirectURIs,
		postLogoutRedirectURIs,
		tokenEndpointAuthMethod: authMethod,
		grantTypes: grantTypes as string[],
		idTokenSignedResponseAlg: alg,
		allowedScopes: scopes,
		// The resources come with the scopes: those of the policy that define a scope asked for.
		allowedResources: scopes.length ? policy.resources : [],
		backchannelLogoutURI: await backchannelURI(m.backchannel_logout_uri, issuer, outbound),
		logoURI: optionalURI(m.logo_uri, 'logo_uri'),
		clientURI: optionalURI(m.client_uri, 'client_uri'),
		policyURI: optionalURI(m.policy_uri, 'policy_uri'),
		tosURI: optionalURI(m.tos_uri, 'tos_uri')
	};
}

/**
 * RFC 7591 §2 `scope`: API scopes the client wants; only those the policy allows. OIDC scopes
 * need no registering. Omitted, the client gets the policy's scopes (§2 "a default set"): none
 * for open registration, the initial access token's, or on update the ones it has.
 */
function scopeList(value: unknown, policy: RegistrationPolicy): string[] {
	if (value === undefined) return policy.scopes;
	if (typeof value !== 'string' || value.length > METADATA_LIMITS.scopeLength)
		throw new InvalidClientMetadata(`scope must be a space-separated string of at most ${METADATA_LIMITS.scopeLength} characters`);
	const scopes = [...new Set(value.split(' ').filter((s) => s && !SUPPORTED_SCOPES.includes(s)))];
	const notAllowed = scopes.find((s) => !policy.scopes.includes(s));
	if (notAllowed) throw new InvalidClientMetadata(`scope "${notAllowed}" needs an initial access token from the operator that allows it`);
	return scopes;
}

/** client_name (RFC 7591 §2), as users will read it on the consent page. */
function clientName(value: unknown, reservedNames: string[]): string {
	if (value === undefined || value === '') return 'Unnamed application';
	if (typeof value !== 'string' || value.length > MAX_CLIENT_NAME_LENGTH) {
		throw new InvalidClientMetadata(`client_name must be a string of at most ${MAX_CLIENT_NAME_LENGTH} characters`);
	}
	const name = normalizeClientName(value);
	if (name === null) throw new InvalidClientMetadata('client_name may not contain control, invisible or bidirectional-override characters');
	if (!name) return 'Unnamed application';
	const taken = reservedNames.find((reserved) => impersonates(name, reserved));
	if (taken !== undefined) throw new InvalidClientMetadata(`client_name is too close to "${taken}", the name of an application this provider runs`);
	return name;
}

/** RFC 7592 §3: where a registered client reads, updates and deletes its registration. */
export function registrationClientURI(issuer: string | undefined, clientId: string): string {
	return `${issuer ?? ''}/api/auth/register/${encodeURIComponent(clientId)}`;
}

/** The RFC 7591 §3.2.1 client information response for `client` (without credentials). */
export function clientInformation(
	client: Omit<NewClient, 'secret'> & { tokenEndpointAuthMethod: TokenEndpointAuthMethod },
	issuedAt: Date,
	issuer: string | undefined
) {
	return {
		client_id: client.id,
		client_id_issued_at: Math.floor(issuedAt.getTime() / 1000),
		client_name: client.name,
		redirect_uris: client.redirectURIs,
		post_logout_redirect_uris: client.postLogoutRedirectURIs ?? [],
		token_endpoint_auth_method: client.tokenEndpointAuthMethod,
		grant_types: client.grantTypes,
		response_types: ['code'],
		id_token_signed_response_alg: client.idTokenSignedResponseAlg,
		...(client.allowedScopes?.length ? { scope: client.allowedScopes.join(' ') } : {}),
		...(client.backchannelLogoutURI ? { backchannel_logout_uri: client.backchannelLogoutURI, backchannel_logout_session_required: true } : {}),
		...(client.logoURI ? { logo_uri: client.logoURI } : {}),
		...(client.clientURI ? { client_uri: client.clientURI } : {}),
		...(client.policyURI ? { policy_uri: client.policyURI } : {}),
		...(client.tosURI ? { tos_uri: client.tosURI } : {}),
		registration_client_uri: registrationClientURI(issuer, client.id)
	};
}

/**
 * RFC 7591 §3: validates the metadata and registers an untrusted client.
 * `outbound` (or, without it, `issuer`) decides where a back-channel logout URI may point:
 * the provider POSTs there itself, so a registration must not be able to point it at
 * services in the provider's own networks (outbound-request.ts). With an operator's
 * `initialAccessToken` (RFC 7591 §3) the client may get what the token allows, and is not
 * self-registered; without one it is, and gets the open-registration policy.
 */
export async function registerClient(
	db: Database,
	metadata: unknown,
	now = new Date(),
	issuer?: string,
	options: { initialAccessToken?: string; outbound?: OutboundPolicy } = {}
): Promise<RegistrationResponse> {
	const { initialAccessToken, outbound } = options;
	const policy = initialAccessToken === undefined ? OPEN_REGISTRATION_POLICY : await findInitialAccessToken(db, initialAccessToken, now);
	const validated = await validateClientMetadata(metadata, policy, await reservedClientNames(db), issuer, outbound);
	if (initialAccessToken !== undefined) await spendInitialAccessToken(db, initialAccessToken, now);
	const secret = validated.tokenEndpointAuthMethod === 'none' ? undefined : generateSecret(32);
	// RFC 7592 §3: the token that lets the client manage its registration (stored hashed).
	const registrationAccessToken = generateSecret(32);
	const client: NewClient = {
		...validated,
		id: generateSecret(16),
		secret,
		trusted: false,
		selfRegistered: initialAccessToken === undefined,
		registrationAccessToken
	};
	await saveClient(db, client, now);
	return {
		...clientInformation({ ...client, tokenEndpointAuthMethod: validated.tokenEndpointAuthMethod }, now, issuer),
		...(secret ? { client_secret: secret, client_secret_expires_at: 0 } : {}),
		registration_access_token: registrationAccessToken
	};
}

/**
 * The registration request's JSON object. Over METADATA_LIMITS.bodyBytes it is refused with
 * 413 before parsing; anything but a JSON object is invalid_client_metadata (RFC 7591 §3.2.2).
 */
export async function readClientMetadata(request: Request): Promise<Record<string, unknown>> {
	const tooLarge = new OAuthError('invalid_client_metadata', `the client metadata may be at most ${METADATA_LIMITS.bodyBytes} bytes`, 413);
	if (Number(request.headers.get('content-length') ?? 0) > METADATA_LIMITS.bodyBytes) throw tooLarge;
	const text = await request.text();
	if (new TextEncoder().encode(text).length > METADATA_LIMITS.bodyBytes) throw tooLarge;
	const metadata = await readJSONObject(new Request(request.url, { method: 'POST', headers: request.headers, body: text }), METADATA_LIMITS.bodyBytes);
	if (!metadata) throw new InvalidClientMetadata('send the client metadata as a JSON object (Content-Type: application/json)');
	return metadata;
}
