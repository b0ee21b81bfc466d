// The upstream identity providers (sign in with GitHub, Google, any OpenID provider), read from
// the environment by config.ts (the only reader of $env). Here, not in auth/, so that reading
// the configuration never pulls auth/ into the demo sites (tests/integration/boundaries.test.ts).
// Endpoints default to the real services and can be moved, so tests and offline development
// point them at local servers that speak the same protocols (tests/support/fake-upstreams.js).

/** GitHub: OAuth 2.0 plus its REST API (no OpenID Connect, so no ID token). */
export interface GitHubUpstream {
	kind: 'github';
	id: 'github';
	name: string;
	clientId: string;
	clientSecret: string;
	authorizeURL: string;
	tokenURL: string;
	/** REST API base: `GET {apiURL}/user`, `GET {apiURL}/user/emails`. */
	apiURL: string;
	scopes: string[];
}

/** An OpenID Connect provider found by discovery: Google, Keycloak, Entra ID, Okta, a second copy of this product. */
export interface OIDCUpstream {
	kind: 'oidc';
	/** URL segment: /auth/upstream/<id>. */
	id: string;
	/** What the sign-in page's button says: "Continue with <name>". */
	name: string;
	/** OpenID Connect Discovery 1.0 §4: `<issuer>/.well-known/openid-configuration`. */
	discoveryURL: string;
	/** Discovery 1.0 §4.3: the issuer the document must name (and every ID token's `iss`). */
	issuer: string;
	/**
	 * Further `iss` values accepted in ID tokens: Google documents that its ID tokens may carry
	 * `accounts.google.com` without the scheme.
	 */
	issuerAliases: string[];
	clientId: string;
	clientSecret: string;
	scopes: string[];
}

export type UpstreamConfig = GitHubUpstream | OIDCUpstream;

export interface UpstreamsConfig {
	providers: UpstreamConfig[];
	/** How long any one request to an upstream may take before the sign-in fails with a clear page. */
	timeoutSeconds: number;
}

const DISCOVERY_SUFFIX = '/.well-known/openid-configuration';
const GOOGLE_DISCOVERY = 'https://accounts.google.com/.well-known/openid-configuration';
// Ids become URL segments next to the provider's own pages under /auth/upstream/.
const ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;
const RESERVED_IDS = new Set(['link']);

type Vars = Record<string, string | undefined>;

/** Reads GITHUB_*, GOOGLE_*, UPSTREAM_OIDC and UPSTREAM_TIMEOUT_SECONDS; fails at start with the variable's name. */
export function loadUpstreams(vars: Vars): UpstreamsConfig {
	const providers: UpstreamConfig[] = [];
	const github = pair(vars, 'GITHUB');
	if (github) {
		providers.push({
			kind: 'github',
			id: 'github',
			name: 'GitHub',
			...github,
			authorizeURL: httpURL(vars, 'GITHUB_AUTHORIZE_URL', 'https://github.com/login/oauth/authorize'),
			tokenURL: httpURL(vars, 'GITHUB_TOKEN_URL', 'https://github.com/login/oauth/access_token'),
			apiURL: httpURL(vars, 'GITHUB_API_URL', 'https://api.github.com').replace(/\/+$/, ''),
			// read:user for the profile, user:email for GET /user/emails (private addresses included).
			scopes: ['read:user', 'user:email']
		});
	}
	const google = pair(vars, 'GOOGLE');
	if (google) {
		const discoveryURL = httpURL(vars, 'GOOGLE_DISCOVERY_URL', GOOGLE_DISCOVERY);
		const issuer = issuerOf(discoveryURL, 'GOOGLE_DISCOVERY_URL');
		providers.push({
			kind: 'oidc',
			id: 'google',
			name: 'Google',
			discoveryURL,
			issuer,
			issuerAliases: issuer === 'https://accounts.google.com' ? ['accounts.google.com'] : [],
			...google,
			scopes: ['openid', 'email', 'profile']
		});
	}
	providers.push(...genericOIDC(vars.UPSTREAM_OIDC));
	const ids = new Set<string>();
	for (const { id } of providers) {
		if (ids.has(id)) throw new Error(`UPSTREAM_OIDC is invalid: the id "${id}" is used twice (github and google are taken when GITHUB_* or GOOGLE_* are set)`);
		ids.add(id);
	}
	const raw = vars.UPSTREAM_TIMEOUT_SECONDS;
	const timeoutSeconds = raw === undefined || raw === '' ? 10 : Number(raw);
	if (!/^\d+$/.test(String(raw ?? '10').trim()) || timeoutSeconds < 1 || timeoutSeconds > 60) {
		throw new Error(`UPSTREAM_TIMEOUT_SECONDS must be a whole number of seconds from 1 to 60, not "${raw}"`);
	}
	return { providers, timeoutSeconds };
}

/** `<PREFIX>_CLIENT_ID` and `_SECRET`: both or neither. */
function pair(vars: Vars, prefix: string): { clientId: string; clientSecret: string } | null {
	const clientId = vars[`${prefix}_CLIENT_ID`]?.trim() || '';
	const clientSecret = vars[`${prefix}_CLIENT_SECRET`]?.trim() || '';
	if (!clientId && !clientSecret) return null;
	if (!clientId)
		throw new Error(
			`${prefix}_CLIENT_ID is not set (${prefix}_CLIENT_SECRET is; set both to offer sign-in with ${prefix === 'GITHUB' ? 'GitHub' : 'Google'}, or neither)`
		);
	if (!clientSecret) throw new Error(`${prefix}_CLIENT_SECRET is not set (${prefix}_CLIENT_ID is; set both, or neither)`);
	return { clientId, clientSecret };
}

function httpURL(vars: Vars, name: string, fallback: string): string {
	const raw = vars[name]?.trim() || fallback;
	return checkedURL(raw, name);
}

function checkedURL(raw: string, what: string): string {
	let url: URL;
	try {
		url = new URL(raw);
	} catch {
		throw new Error(`${what} is invalid: "${raw}" is not an absolute URL`);
	}
	// RFC 6749 §3.1 and §3.2 require TLS for both endpoints; plain http only on loopback (development, tests).
	const loopback = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
	if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
		throw new Error(`${what} is invalid: "${raw}" must use https (http only on localhost)`);
	}
	if (url.hash || url.username || url.password) throw new Error(`${what} is invalid: "${raw}" must not carry a fragment or credentials`);
	return url.href;
}

/** Discovery 1.0 §4: the issuer is the discovery URL without its well-known suffix. */
function issuerOf(discoveryURL: string, what: string): string {
	const url = new URL(discoveryURL);
	if (!url.pathname.endsWith(DISCOVERY_SUFFIX) || url.search) {
		throw new Error(`${what} is invalid: "${discoveryURL}" must end with ${DISCOVERY_SUFFIX}`);
	}
	return url.origin + url.pathname.slice(0, -DISCOVERY_SUFFIX.length);
}

/**
 * UPSTREAM_OIDC: a JSON array of
 * `{ "id", "name", "discovery_url" | "issuer", "client_id", "client_secret", "scopes"? }`.
 */
function genericOIDC(json: string | undefined): OIDCUpstream[] {
	if (json === undefined || json.trim() === '') return [];
	let parsed: unknown;
	try {
		parsed = JSON.parse(json);
	} catch (error) {
		throw new Error(`UPSTREAM_OIDC is invalid: not JSON (${(error as Error).message})`, { cause: error });
	}
	if (!Array.isArray(parsed)) throw new Error('UPSTREAM_OIDC is invalid: expected a JSON array of providers');
	return parsed.map((entry: unknown, index) => {
		const where = `UPSTREAM_OIDC[${index}]`;
		if (typeof entry !== 'object' || entry === null) throw new Error(`${where} is invalid: expected an object`);
		const field = (name: string): string | undefined => {
			const value = (entry as Record<string, unknown>)[name];
			if (value === undefined) return undefined;
			if (typeof value !== 'string' || !value.trim()) throw new Error(`${where}.${name} is invalid: expected a non-empty string`);
			return value.trim();
		};
		const required = (name: string): string => {
			const value = field(name);
			if (value === undefined) throw new Error(`${where}.${name} is not set`);
			return value;
		};
		const id = required('id');
		if (!ID_PATTERN.test(id) || RESERVED_IDS.has(id)) {
			throw new Error(`${where}.id is invalid: "${id}" must be lower-case letters, digits and dashes (up to 32), and not ${[...RESERVED_IDS].join(', ')}`);
		}
		const name = required('name');
		if (name.length > 40 || /[\u0000-\u001f\u007f]/.test(name)) throw new Error(`${where}.name is invalid: at most 40 printable characters`);
		const discovery = field('discovery_url');
		const issuerField = field('issuer');
		if (!discovery && !issuerField) throw new Error(`${where}.discovery_url is not set (or give "issuer")`);
		const discoveryURL = checkedURL(discovery ?? `${issuerField!.replace(/\/+$/, '')}${DISCOVERY_SUFFIX}`, `${where}.discovery_url`);
		// Discovery 1.0 §4.3: the issuer must match exactly, so a given one is kept as written.
		if (issuerField) checkedURL(issuerField, `${where}.issuer`);
		const issuer = issuerField ?? issuerOf(discoveryURL, `${where}.discovery_url`);
		const scopesValue = (entry as Record<string, unknown>).scopes;
		let scopes = ['openid', 'email', 'profile'];
		if (scopesValue !== undefined) {
			const list = typeof scopesValue === 'string' ? scopesValue.split(/\s+/) : Array.isArray(scopesValue) ? scopesValue : null;
			if (!list || !list.every((s) => typeof s === 'string' && /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s))) {
				throw new Error(`${where}.scopes is invalid: expected an array of scope names (or one space-separated string)`);
			}
			// Without `openid` the upstream would not answer with an ID token (OIDC Core §3.1.2.1).
			scopes = [...new Set(['openid', ...(list as string[]).filter(Boolean)])];
		}
		return {
			kind: 'oidc',
			id,
			name,
			discoveryURL,
			issuer,
			issuerAliases: [],
			clientId: required('client_id'),
			clientSecret: required('client_secret'),
			scopes
		};
	});
}

/** The URL to register at the upstream as its redirect (callback) URL. */
export function upstreamCallbackURL(issuer: string, id: string): string {
	return `${issuer}/auth/upstream/${id}/callback`;
}

/** Start-up lines for the operator: each configured upstream and the callback URL to register there. */
export function describeUpstreams(issuer: string, upstreams: UpstreamsConfig): string[] {
	return upstreams.providers.map((p) => `[sso] sign-in with ${p.name.padEnd(8)} callback URL to register: ${upstreamCallbackURL(issuer, p.id)}`);
}

/** The configured upstream with this id (a URL segment), or null. */
export function upstreamById(upstreams: UpstreamsConfig, id: string): UpstreamConfig | null {
	return upstreams.providers.find((p) => p.id === id) ?? null;
}

/** The sign-in and sign-up pages' "Continue with <name>" links, carrying return_to. */
export function upstreamButtons(upstreams: UpstreamsConfig, returnTo: string | null): { name: string; href: string }[] {
	const query = returnTo ? `?return_to=${encodeURIComponent(returnTo)}` : '';
	return upstreams.providers.map((p) => ({ name: p.name, href: `/auth/upstream/${p.id}${query}` }));
}
