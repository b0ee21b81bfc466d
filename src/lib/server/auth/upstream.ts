// Sign-in at an upstream identity provider (GitHub over OAuth 2.0; Google and any other OpenID
// provider over OpenID Connect). The ONLY module that imports arctic (pinned 3.7.0, in
// maintenance: keep it swappable). arctic does the OAuth mechanics (authorization URL, PKCE,
// code exchange); jose verifies upstream ID tokens. Every failure becomes an UpstreamError
// that the callback route renders as a page with a way back, never a 500.
import {
	ArcticFetchError,
	CodeChallengeMethod,
	generateCodeVerifier,
	generateState,
	OAuth2Client,
	OAuth2RequestError,
	UnexpectedErrorResponseBodyError,
	UnexpectedResponseError,
	type OAuth2Tokens
} from 'arctic';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { GitHubUpstream, OIDCUpstream, UpstreamConfig } from '../config-upstreams';

/** What went wrong, in words the callback page can show; `status` is the page's HTTP status. */
export type UpstreamFailure =
	| 'denied' // the person cancelled at the upstream (RFC 6749 §4.1.2.1 access_denied)
	| 'flow-mismatch' // state missing or different: not the browser that started (login CSRF)
	| 'code-rejected' // the upstream refused the code: expired, used, or not ours
	| 'upstream-error' // the upstream answered the authorization request with another error
	| 'misconfigured' // the upstream refused our client credentials
	| 'unreachable' // connection failed or the upstream answered with a server error
	| 'timeout' // no answer in time
	| 'bad-response' // an answer we cannot use (not JSON, missing fields)
	| 'bad-id-token'; // the ID token failed verification (signature, iss, aud, exp, nonce)

const STATUS: Record<UpstreamFailure, 400 | 502 | 504> = {
	denied: 400,
	'flow-mismatch': 400,
	'code-rejected': 400,
	'upstream-error': 502,
	misconfigured: 502,
	unreachable: 502,
	timeout: 504,
	'bad-response': 502,
	'bad-id-token': 502
};

export class UpstreamError extends Error {
	readonly status: 400 | 502 | 504;
	constructor(
		readonly failure: UpstreamFailure,
		/** For the person: what happened and what to do. */
		message: string,
		/** For the operator's log only (may name upstream internals). */
		readonly detail?: string
	) {
		super(message);
		this.status = STATUS[failure];
	}
}

/** Who the upstream says the person is, before any account is chosen. */
export interface UpstreamProfile {
	/** The upstream's configured id (`github`, `google`, ...). */
	provider: string;
	/** GitHub's numeric user id, or the ID token's `sub`: stable at the upstream, unlike the email. */
	subject: string;
	/** Lower-cased; null when the upstream gave none. */
	email: string | null;
	/** Only true when the upstream itself says it verified this address. */
	emailVerified: boolean;
	name: string | null;
	/** RFC 8176 values the upstream reported in its ID token's `amr` (registered values only). */
	amr: string[];
}

/** What the browser keeps between the redirect to the upstream and its callback (flow cookie). */
export interface UpstreamFlow {
	state: string;
	codeVerifier: string | null;
	/** OIDC Core §3.1.2.1: binds the ID token to this browser's request; null for GitHub (no ID token). */
	nonce: string | null;
}

export interface UpstreamContext {
	upstream: UpstreamConfig;
	/** The redirect URI registered at the upstream: {issuer}/auth/upstream/<id>/callback. */
	callbackURL: string;
	timeoutMs: number;
}

/** The authorization request (RFC 6749 §4.1.1) with state, PKCE S256 (RFC 7636) and, for OIDC, a nonce. */
export async function beginUpstreamSignIn({ upstream, callbackURL, timeoutMs }: UpstreamContext): Promise<{ url: URL; flow: UpstreamFlow }> {
	const client = new OAuth2Client(upstream.clientId, upstream.clientSecret, callbackURL);
	const state = generateState();
	if (upstream.kind === 'github') {
		// GitHub accepts PKCE S256 on its OAuth apps' web flow.
		const codeVerifier = generateCodeVerifier();
		const url = client.createAuthorizationURLWithPKCE(upstream.authorizeURL, state, CodeChallengeMethod.S256, codeVerifier, upstream.scopes);
		return { url, flow: { state, codeVerifier, nonce: null } };
	}
	const discovery = await discover(upstream, timeoutMs);
	const nonce = generateState();
	// RFC 9700 §2.1.1: PKCE wherever the upstream supports it (Discovery: code_challenge_methods_supported).
	const codeVerifier = discovery.codeChallengeMethods.includes('S256') ? generateCodeVerifier() : null;
	const url = codeVerifier
		? client.createAuthorizationURLWithPKCE(discovery.authorizationEndpoint, state, CodeChallengeMethod.S256, codeVerifier, upstream.scopes)
		: client.createAuthorizationURL(discovery.authorizationEndpoint, state, upstream.scopes);
	url.searchParams.set('nonce', nonce);
	return { url, flow: { state, codeVerifier, nonce } };
}

/**
 * The callback's query before any code is used: the upstream's error (RFC 6749 §4.1.2.1), then
 * the state check (§10.12: without it an attacker could sign the victim in as the attacker).
 * Returns the code to exchange.
 */
export function checkUpstreamCallback(upstream: UpstreamConfig, query: URLSearchParams, flow: UpstreamFlow | null): string {
	const error = query.get('error');
	const state = query.get('state');
	const stateMatches = flow !== null && state !== null && sameString(state, flow.state);
	if (error) {
		// An error with someone else's state is still only shown, never acted on.
		if (error === 'access_denied') throw new UpstreamError('denied', `You cancelled signing in with ${upstream.name}. Nothing was changed.`);
		throw new UpstreamError(
			'upstream-error',
			`${upstream.name} could not sign you in (${safeText(error)}). Try again, or sign in another way.`,
			`${error}: ${query.get('error_description') ?? ''}`
		);
	}
	if (!stateMatches) {
		throw new UpstreamError(
			'flow-mismatch',
			`This sign-in with ${upstream.name} was not started in this browser, or it took longer than 10 minutes. Start again from the sign-in page.`,
			flow ? 'state mismatch' : 'no flow cookie'
		);
	}
	const code = query.get('code');
	if (!code) throw new UpstreamError('bad-response', `${upstream.name} sent you back without a sign-in code. Start again from the sign-in page.`);
	return code;
}

/** Exchanges the code (RFC 6749 §4.1.3) and reads who signed in; the upstream's tokens are used here and dropped. */
export async function completeUpstreamSignIn(context: UpstreamContext, flow: UpstreamFlow, code: string, now = new Date()): Promise<UpstreamProfile> {
	const { upstream, callbackURL, timeoutMs } = context;
	const client = new OAuth2Client(upstream.clientId, upstream.clientSecret, callbackURL);
	if (upstream.kind === 'github') {
		const tokens = await exchangeCode(upstream, () => client.validateAuthorizationCode(upstream.tokenURL, code, flow.codeVerifier), timeoutMs);
		return gitHubProfile(upstream, accessTokenOf(upstream, tokens), timeoutMs);
	}
	const discovery = await discover(upstream, timeoutMs);
	const tokens = await exchangeCode(upstream, () => client.validateAuthorizationCode(discovery.tokenEndpoint, code, flow.codeVerifier), timeoutMs);
	const idToken = typeof tokens.data === 'object' && tokens.data !== null && 'id_token' in tokens.data ? tokens.data.id_token : undefined;
	if (typeof idToken !== 'string')
		throw new UpstreamError('bad-response', `${upstream.name} did not send an ID token. Try again later.`, 'no id_token in the token response');
	const claims = await verifyUpstreamIDToken(upstream, discovery, idToken, flow.nonce, timeoutMs, now);
	let profile = claims;
	// Some providers keep the address out of the ID token: ask UserInfo (OIDC Core §5.3).
	if (!claims.email && discovery.userinfoEndpoint) {
		const info = await getJSON(upstream, discovery.userinfoEndpoint, accessTokenOf(upstream, tokens), timeoutMs);
		// OIDC Core §5.3.2: a UserInfo answer for another subject must not be used.
		if (!isRecord(info) || info.sub !== claims.sub)
			throw new UpstreamError('bad-response', `${upstream.name} answered about another account. Try again later.`, 'userinfo sub differs from the ID token');
		profile = { ...claims, ...info, sub: claims.sub, amr: claims.amr };
	}
	return oidcProfile(upstream, profile);
}

// RFC 8176 §2 (IANA "Authentication Method Reference Values"): only registered values pass through.
const REGISTERED_AMR = new Set([
	'face',
	'fpt',
	'geo',
	'hwk',
	'iris',
	'kba',
	'mca',
	'mfa',
	'otp',
	'pin',
	'pop',
	'pwd',
	'rba',
	'retina',
	'sc',
	'sms',
	'swk',
	'tel',
	'user',
	'vbm',
	'wia'
]);

/**
 * The `amr` of a session started at an upstream. RFC 8176 registers no value for "signed in
 * elsewhere", so when the upstream's ID token says how the person authenticated (registered
 * values) those are passed on: they are the methods used (OIDC Core §2 `amr`). Otherwise `fed`,
 * the value this provider documents for a federated sign-in (OIDC Core §2 lets the parties agree
 * on values); never `pwd`, since no password was checked here.
 */
export function federatedAMR(upstreamAMR: string[]): string[] {
	const registered = upstreamAMR.filter((value) => REGISTERED_AMR.has(value));
	return registered.length > 0 ? [...new Set(registered)] : ['fed'];
}

interface Discovery {
	issuer: string;
	authorizationEndpoint: string;
	tokenEndpoint: string;
	userinfoEndpoint: string | null;
	jwks: ReturnType<typeof createRemoteJWKSet>;
	signingAlgorithms: string[];
	codeChallengeMethods: string[];
}

// Discovery documents change rarely; an hour keeps sign-ins fast and picks up a moved endpoint
// the same day. Failures are not cached: the next sign-in tries again.
const DISCOVERY_TTL_MS = 60 * 60 * 1000;
const discoveryCache = new Map<string, { discovery: Discovery; expiresAt: number }>();

// Asymmetric algorithms only: an HMAC-signed ID token would be keyed with our client secret.
const ASYMMETRIC = new Set(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519']);

async function discover(upstream: OIDCUpstream, timeoutMs: number): Promise<Discovery> {
	// Keyed by URL and expected issuer: a document is only ever reused for the issuer it was checked against.
	const key = `${upstream.discoveryURL}\n${upstream.issuer}`;
	const cached = discoveryCache.get(key);
	if (cached && cached.expiresAt > Date.now()) return cached.discovery;
	const document = await getJSON(upstream, upstream.discoveryURL, null, timeoutMs);
	const bad = (what: string) =>
		new UpstreamError(
			'bad-response',
			`${upstream.name}'s sign-in is not set up correctly at the moment. Try again later, or sign in another way.`,
			`discovery: ${what}`
		);
	if (!isRecord(document)) throw bad('not a JSON object');
	// Discovery 1.0 §4.3: the issuer must be exactly the one the document was fetched for.
	if (document.issuer !== upstream.issuer) throw bad(`issuer ${JSON.stringify(document.issuer)} is not ${upstream.issuer}`);
	const endpoint = (name: string, required: boolean): string | null => {
		const value = document[name];
		if (value === undefined && !required) return null;
		if (typeof value !== 'string' || !isAllowedEndpoint(value)) throw bad(`${name} is missing or not https`);
		return value;
	};
	const strings = (name: string): string[] =>
		Array.isArray(document[name]) ? (document[name] as unknown[]).filter((v): v is string => typeof v === 'string') : [];
	const advertised = strings('id_token_signing_alg_values_supported').filter((alg) => ASYMMETRIC.has(alg));
	const discovery: Discovery = {
		issuer: upstream.issuer,
		authorizationEndpoint: endpoint('authorization_endpoint', true)!,
		tokenEndpoint: endpoint('token_endpoint', true)!,
		userinfoEndpoint: endpoint('userinfo_endpoint', false),
		// jose caches the keys and refetches (at most every 30 s) when a token names an unknown kid.
		jwks: createRemoteJWKSet(new URL(endpoint('jwks_uri', true)!), { timeoutDuration: timeoutMs, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 }),
		// OIDC Core §3.1.3.7: RS256 is the default.
		signingAlgorithms: advertised.length > 0 ? advertised : ['RS256'],
		codeChallengeMethods: strings('code_challenge_methods_supported')
	};
	discoveryCache.set(key, { discovery, expiresAt: Date.now() + DISCOVERY_TTL_MS });
	return discovery;
}

/** https, or http on loopback (the same rule as the configured URLs). */
function isAllowedEndpoint(value: string): boolean {
	try {
		const url = new URL(value);
		const loopback = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
		return url.protocol === 'https:' || (url.protocol === 'http:' && loopback);
	} catch {
		return false;
	}
}

// Clock skew allowed on exp/iat/nbf between the upstream and us.
const CLOCK_TOLERANCE_SECONDS = 30;

/**
 * OIDC Core §3.1.3.7: signature against the upstream's JWKS with an advertised asymmetric
 * algorithm, `iss` exactly the discovered issuer, `aud` our client id (and `azp` when there are
 * several audiences), `exp`/`iat` with a small tolerance, `nonce` the one this browser sent.
 */
async function verifyUpstreamIDToken(
	upstream: OIDCUpstream,
	discovery: Discovery,
	idToken: string,
	nonce: string | null,
	timeoutMs: number,
	now: Date
): Promise<JWTPayload & { sub: string; amr: string[] }> {
	const refused = (why: string) =>
		new UpstreamError(
			'bad-id-token',
			`${upstream.name}'s answer could not be verified, so you were not signed in. Try again; if it keeps happening, sign in another way.`,
			`ID token: ${why}`
		);
	let payload: JWTPayload;
	try {
		({ payload } = await withTimeout(
			upstream,
			jwtVerify(idToken, discovery.jwks, {
				issuer: [discovery.issuer, ...upstream.issuerAliases],
				audience: upstream.clientId,
				algorithms: discovery.signingAlgorithms,
				clockTolerance: CLOCK_TOLERANCE_SECONDS,
				currentDate: now,
				requiredClaims: ['sub', 'iat', 'exp']
			}),
			timeoutMs
		));
	} catch (error) {
		if (error instanceof UpstreamError) throw error;
		if (error instanceof joseErrors.JWKSTimeout)
			throw new UpstreamError('timeout', `${upstream.name} did not answer in time. Try again in a moment.`, 'JWKS timeout');
		if (error instanceof joseErrors.JOSEError) throw refused(`${error.code}: ${error.message}`);
		throw new UpstreamError('unreachable', `${upstream.name} could not be reached. Try again in a moment.`, `JWKS: ${(error as Error).message}`);
	}
	if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== upstream.clientId) throw refused('several audiences without our azp');
	if (nonce === null || typeof payload.nonce !== 'string' || !sameString(payload.nonce, nonce)) throw refused('nonce mismatch');
	if (typeof payload.sub !== 'string' || payload.sub.length === 0 || payload.sub.length > 255) throw refused('unusable sub');
	const amr = Array.isArray(payload.amr) ? payload.amr.filter((v): v is string => typeof v === 'string') : [];
	return { ...payload, sub: payload.sub, amr };
}

function oidcProfile(upstream: OIDCUpstream, claims: Record<string, unknown> & { sub: string; amr: string[] }): UpstreamProfile {
	const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : null;
	// OIDC Core §5.1 defines email_verified as a boolean; some providers (Cognito) send the string
	// "true". Exactly those two count; anything else ("1", "yes", "True ") means unverified.
	const emailVerified = email !== null && (claims.email_verified === true || claims.email_verified === 'true');
	const joined = [claims.given_name, claims.family_name].filter((v) => typeof v === 'string' && v.trim()).join(' ');
	const name =
		typeof claims.name === 'string' && claims.name.trim()
			? claims.name
			: joined || (typeof claims.preferred_username === 'string' ? claims.preferred_username : null);
	return { provider: upstream.id, subject: claims.sub, email, emailVerified, name, amr: claims.amr };
}

/**
 * GitHub's REST API: `GET /user` for the stable numeric id and name, `GET /user/emails` for the
 * addresses. Only the primary address, and only if GitHub verified it, counts: any other is
 * one the account holder merely typed in.
 */
async function gitHubProfile(upstream: GitHubUpstream, accessToken: string, timeoutMs: number): Promise<UpstreamProfile> {
	const bad = (what: string) =>
		new UpstreamError('bad-response', `GitHub answered in a way this provider does not understand. Try again later.`, `GitHub API: ${what}`);
	const [user, emails] = await Promise.all([
		getJSON(upstream, `${upstream.apiURL}/user`, accessToken, timeoutMs),
		getJSON(upstream, `${upstream.apiURL}/user/emails`, accessToken, timeoutMs)
	]);
	if (!isRecord(user) || typeof user.id !== 'number' || !Number.isSafeInteger(user.id) || user.id <= 0) throw bad('/user has no numeric id');
	if (!Array.isArray(emails)) throw bad('/user/emails is not a list');
	const primary = emails.find(
		(e): e is { email: string; primary: true; verified: boolean } => isRecord(e) && e.primary === true && typeof e.email === 'string'
	);
	const verified = primary?.verified === true;
	const name = typeof user.name === 'string' && user.name.trim() ? user.name : typeof user.login === 'string' ? user.login : null;
	return {
		provider: upstream.id,
		subject: String(user.id),
		email: primary ? primary.email.trim().toLowerCase() : null,
		emailVerified: verified,
		name,
		amr: []
	};
}

/** The code exchange through arctic, with a deadline and every failure typed. */
async function exchangeCode(upstream: UpstreamConfig, exchange: () => Promise<OAuth2Tokens>, timeoutMs: number): Promise<OAuth2Tokens> {
	let tokens: OAuth2Tokens;
	try {
		tokens = await withTimeout(upstream, exchange(), timeoutMs);
	} catch (error) {
		if (error instanceof UpstreamError) throw error;
		if (error instanceof OAuth2RequestError) throw tokenEndpointError(upstream, error.code, error.description);
		if (error instanceof ArcticFetchError)
			throw new UpstreamError(
				'unreachable',
				`${upstream.name} could not be reached. Try again in a moment.`,
				`token endpoint: ${String((error.cause as Error)?.message ?? error.cause)}`
			);
		if (error instanceof UnexpectedResponseError)
			throw new UpstreamError(
				'unreachable',
				`${upstream.name} is having problems (it answered ${error.status}). Try again in a moment.`,
				`token endpoint status ${error.status}`
			);
		if (error instanceof UnexpectedErrorResponseBodyError)
			throw new UpstreamError(
				'bad-response',
				`${upstream.name} answered in a way this provider does not understand. Try again later.`,
				`token endpoint status ${error.status}`
			);
		throw new UpstreamError('bad-response', `${upstream.name} answered in a way this provider does not understand. Try again later.`, (error as Error).message);
	}
	// GitHub answers token errors with 200 and an `error` member (its documented behaviour).
	if (isRecord(tokens.data) && typeof tokens.data.error === 'string') {
		throw tokenEndpointError(upstream, tokens.data.error, typeof tokens.data.error_description === 'string' ? tokens.data.error_description : null);
	}
	return tokens;
}

function tokenEndpointError(upstream: UpstreamConfig, code: string, description: string | null): UpstreamError {
	const detail = `token endpoint: ${code} ${description ?? ''}`;
	if (code === 'invalid_client' || code === 'incorrect_client_credentials' || code === 'unauthorized_client' || code === 'redirect_uri_mismatch') {
		return new UpstreamError(
			'misconfigured',
			`${upstream.name} did not accept this provider's registration. Sign in another way, and tell the operator.`,
			detail
		);
	}
	// invalid_grant (RFC 6749 §5.2), GitHub's bad_verification_code: expired, used or someone else's code.
	return new UpstreamError(
		'code-rejected',
		`${upstream.name} did not accept the sign-in (it may have expired or been used already). Start again from the sign-in page.`,
		detail
	);
}

function accessTokenOf(upstream: UpstreamConfig, tokens: OAuth2Tokens): string {
	try {
		return tokens.accessToken();
	} catch {
		throw new UpstreamError('bad-response', `${upstream.name} did not send an access token. Try again later.`, 'no access_token in the token response');
	}
}

/** GET a JSON document from an upstream, with a deadline and no redirects followed. */
async function getJSON(upstream: UpstreamConfig, url: string, accessToken: string | null, timeoutMs: number): Promise<unknown> {
	const headers: Record<string, string> = {
		accept: upstream.kind === 'github' ? 'application/vnd.github+json' : 'application/json',
		'user-agent': 'sso-provider'
	};
	if (accessToken) headers.authorization = `Bearer ${accessToken}`;
	if (upstream.kind === 'github') headers['x-github-api-version'] = '2022-11-28';
	let response: Response;
	try {
		response = await fetch(url, { headers, redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
	} catch (error) {
		if (error instanceof DOMException && error.name === 'TimeoutError')
			throw new UpstreamError('timeout', `${upstream.name} did not answer in time. Try again in a moment.`, `GET ${url}: timeout`);
		throw new UpstreamError('unreachable', `${upstream.name} could not be reached. Try again in a moment.`, `GET ${url}: ${(error as Error).message}`);
	}
	if (!response.ok) {
		await response.body?.cancel();
		throw new UpstreamError(
			'unreachable',
			`${upstream.name} is having problems (it answered ${response.status}). Try again in a moment.`,
			`GET ${url}: ${response.status}`
		);
	}
	try {
		return await response.json();
	} catch (error) {
		if (error instanceof DOMException && error.name === 'TimeoutError')
			throw new UpstreamError('timeout', `${upstream.name} did not answer in time. Try again in a moment.`, `GET ${url}: timeout`);
		throw new UpstreamError('bad-response', `${upstream.name} answered in a way this provider does not understand. Try again later.`, `GET ${url}: not JSON`);
	}
}

/** arctic takes no AbortSignal: race its request against the deadline (the socket is left to close on its own). */
async function withTimeout<T>(upstream: UpstreamConfig, promise: Promise<T>, timeoutMs: number): Promise<T> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	const deadline = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new UpstreamError('timeout', `${upstream.name} did not answer in time. Try again in a moment.`, 'timeout')), timeoutMs);
	});
	try {
		return await Promise.race([promise, deadline]);
	} finally {
		clearTimeout(timer);
	}
}

function sameString(a: string, b: string): boolean {
	const x = new TextEncoder().encode(a);
	const y = new TextEncoder().encode(b);
	return x.length === y.length && constantTimeEqual(x, y);
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An upstream's error code, shown only if it looks like one (RFC 6749 §4.1.2.1 limits its characters). */
function safeText(value: string): string {
	return /^[\x20-\x21\x23-\x5b\x5d-\x7e]{1,64}$/.test(value) ? value : 'unknown error';
}
