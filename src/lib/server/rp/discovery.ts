/** The parts of the provider's discovery document the demo sites use. */
export interface ProviderMetadata {
	issuer: string;
	authorization_endpoint: string;
	token_endpoint: string;
	userinfo_endpoint: string;
	jwks_uri: string;
	end_session_endpoint?: string;
	authorization_response_iss_parameter_supported?: boolean;
}

const cache = new Map<string, Promise<ProviderMetadata>>();

/**
 * OpenID Connect Discovery 1.0 §4: fetches `/.well-known/openid-configuration` over HTTP,
 * like any relying party would, and checks the issuer it names is the one we asked (§4.3).
 */
export function discoverProvider(issuer: string, fetchFn: typeof fetch = fetch): Promise<ProviderMetadata> {
	let pending = cache.get(issuer);
	if (!pending) {
		pending = fetchMetadata(issuer, fetchFn);
		cache.set(issuer, pending);
		// A failed lookup (provider still starting) is retried next time rather than remembered.
		pending.catch(() => cache.delete(issuer));
	}
	return pending;
}

async function fetchMetadata(issuer: string, fetchFn: typeof fetch): Promise<ProviderMetadata> {
	const response = await fetchFn(`${issuer}/.well-known/openid-configuration`, { headers: { accept: 'application/json' } });
	if (!response.ok) throw new Error(`discovery at ${issuer} answered HTTP ${response.status}`);
	const body: unknown = await response.json();
	if (!isMetadata(body)) throw new Error(`discovery at ${issuer} returned an incomplete document`);
	if (body.issuer !== issuer) throw new Error(`discovery issuer "${body.issuer}" does not match "${issuer}"`);
	return body;
}

function isMetadata(value: unknown): value is ProviderMetadata {
	if (typeof value !== 'object' || value === null) return false;
	const record = value as Record<string, unknown>;
	return ['issuer', 'authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri'].every((k) => typeof record[k] === 'string');
}
