import type { Database } from '../db';
import { generateSecret } from '../secrets';
import { saveClient, type NewClient, type TokenEndpointAuthMethod } from './clients';
import { OAuthError } from './errors';
import { isSigningAlgorithm } from './keys';
import { GRANT_TYPES } from './tokens';
import { checkRegisteredURI, OutboundRequestRefused, outboundPolicy, type OutboundPolicy } from '../outbound-request';

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
const PRIVILEGED_FIELDS = ['trusted', 'skip_consent', 'skipConsent', 'client_id', 'client_secret', 'first_party'];
const AUTH_METHODS: TokenEndpointAuthMethod[] = ['client_secret_basic', 'client_secret_post', 'none'];
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

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
	for (const uri of value) {
		if (!isAcceptableClientURI(uri)) throw new InvalidRedirectURI(`${field}: "${String(uri)}" must be https (or http on localhost) without a fragment`);
	}
	return value as string[];
}

function optionalURI(value: unknown, field: string): string | undefined {
	if (value === undefined) return undefined;
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
		if (error instanceof OutboundRequestRefused) throw new InvalidClientMetadata(`backchannel_logout_uri: ${error.message}; the provider sends logout tokens only to public hosts`);
		throw error;
	}
	return uri;
}

/** RFC 7591 §3.2.1 registration response (client metadata plus credentials). */
export interface RegistrationResponse {
	client_id: string;
	client_secret?: string;
	client_id_issued_at: number;
	client_secret_expires_at?: number;
	[metadata: string]: unknown;
}

/**
 * RFC 7591 §3: validates the metadata and registers an untrusted client.
 * `issuer` decides whether a back-channel logout URI may be plain http on loopback: the
 * provider POSTs there itself, so on a real deployment an open registration must not be able
 * to point it at services on the provider's own machine.
 */
export async function registerClient(
	db: Database,
	metadata: unknown,
	now = new Date(),
	issuer?: string,
	outbound?: OutboundPolicy
): Promise<RegistrationResponse> {
	if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) throw new InvalidClientMetadata('send the client metadata as a JSON object');
	const m = metadata as Record<string, unknown>;
	const privileged = PRIVILEGED_FIELDS.filter((f) => f in m);
	if (privileged.length) throw new InvalidClientMetadata(`these fields cannot be registered: ${privileged.join(', ')}`);

	const redirectURIs = uriList(m.redirect_uris, 'redirect_uris', true);
	const postLogoutRedirectURIs = uriList(m.post_logout_redirect_uris, 'post_logout_redirect_uris', false);
	const authMethod = (m.token_endpoint_auth_method ?? 'client_secret_basic') as TokenEndpointAuthMethod;
	if (!AUTH_METHODS.includes(authMethod)) throw new InvalidClientMetadata(`token_endpoint_auth_method must be one of ${AUTH_METHODS.join(', ')}`);
	const grantTypes = m.grant_types ?? ['authorization_code', 'refresh_token'];
	if (!Array.isArray(grantTypes) || grantTypes.some((g) => !GRANT_TYPES.includes(g))) {
		throw new InvalidClientMetadata(`grant_types must be drawn from ${GRANT_TYPES.join(', ')}`);
	}
	if (authMethod === 'none' && grantTypes.includes('client_credentials')) throw new InvalidClientMetadata('a public client cannot use client_credentials');
	const responseTypes = m.response_types ?? ['code'];
	if (!Array.isArray(responseTypes) || responseTypes.some((r) => r !== 'code')) throw new InvalidClientMetadata('response_types must be ["code"]');
	const alg = m.id_token_signed_response_alg ?? 'RS256';
	if (!isSigningAlgorithm(alg)) throw new InvalidClientMetadata('id_token_signed_response_alg must be RS256, ES256 or EdDSA');
	if (m.client_name !== undefined && (typeof m.client_name !== 'string' || m.client_name.length > 100)) {
		throw new InvalidClientMetadata('client_name must be a string of at most 100 characters');
	}

	const secret = authMethod === 'none' ? undefined : generateSecret(32);
	const client: NewClient = {
		id: generateSecret(16),
		secret,
		name: (m.client_name as string | undefined) || 'Unnamed application',
		redirectURIs,
		postLogoutRedirectURIs,
		tokenEndpointAuthMethod: authMethod,
		grantTypes: grantTypes as string[],
		idTokenSignedResponseAlg: alg,
		backchannelLogoutURI: await backchannelURI(m.backchannel_logout_uri, issuer, outbound),
		logoURI: optionalURI(m.logo_uri, 'logo_uri'),
		clientURI: optionalURI(m.client_uri, 'client_uri'),
		policyURI: optionalURI(m.policy_uri, 'policy_uri'),
		tosURI: optionalURI(m.tos_uri, 'tos_uri'),
		trusted: false,
		selfRegistered: true
	};
	await saveClient(db, client, now);
	return {
		client_id: client.id,
		...(secret ? { client_secret: secret, client_secret_expires_at: 0 } : {}),
		client_id_issued_at: Math.floor(now.getTime() / 1000),
		client_name: client.name,
		redirect_uris: client.redirectURIs,
		post_logout_redirect_uris: client.postLogoutRedirectURIs,
		token_endpoint_auth_method: authMethod,
		grant_types: client.grantTypes,
		response_types: ['code'],
		id_token_signed_response_alg: alg,
		...(client.backchannelLogoutURI ? { backchannel_logout_uri: client.backchannelLogoutURI, backchannel_logout_session_required: true } : {}),
		...(client.logoURI ? { logo_uri: client.logoURI } : {}),
		...(client.clientURI ? { client_uri: client.clientURI } : {}),
		...(client.policyURI ? { policy_uri: client.policyURI } : {}),
		...(client.tosURI ? { tos_uri: client.tosURI } : {})
	};
}
