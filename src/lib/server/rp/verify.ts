import { AsyncLocalStorage } from 'node:async_hooks';
import { createRemoteJWKSet, customFetch, decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { atHashMatches, accessTokenHash } from './at-hash';
import type { FlowRecorder } from './flow-trace';
import {
	ALLOWED_ALGORITHMS,
	ID_TOKEN_CHECKS,
	LOGOUT_TOKEN_CHECKS,
	recordTokenChecks,
	SESSION_JWT_CHECKS,
	TokenCheckFailed,
	type TokenCheckContext,
	type TokenCheckDefinition
} from './token-checks';

/** OIDC Core §3.1.3.7 item 9: "possibly allowing for some small leeway to account for clock skew". */
export const CLOCK_SKEW_SECONDS = 60;
/** §3.1.3.7 item 10: the site verifies an ID token right after the code exchange; an older one is suspect. */
export const ID_TOKEN_MAX_AGE_SECONDS = 10 * 60;

/** The verification a JWKS fetch belongs to (jose fetches inside jwtVerify): lets the inspector record it. */
interface KeyLookup {
	recorder: FlowRecorder;
	fetched: boolean;
}
const currentKeyLookup = new AsyncLocalStorage<KeyLookup>();

const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

/** The provider's published keys, fetched over HTTP and cached by jose (refetched on an unknown `kid`). */
function remoteKeySet(jwksURI: string) {
	let set = keySets.get(jwksURI);
	if (!set) {
		set = createRemoteJWKSet(new URL(jwksURI), { [customFetch]: recordedJWKSFetch });
		keySets.set(jwksURI, set);
	}
	return set;
}

/** One fetch of a JWKS by this process: when, and the kids it returned (the common-issues lab shows them). */
export interface JWKSFetch {
	at: Date;
	status: number;
	kids: string[];
}
const fetchLog = new Map<string, JWKSFetch[]>();
const FETCH_LOG_LENGTH = 10;

/** This process's fetches of `jwksURI`, oldest first (the last ten). */
export function jwksFetches(jwksURI: string): JWKSFetch[] {
	return [...(fetchLog.get(jwksURI) ?? [])];
}

/**
 * What the site's cached copy of `jwksURI` holds now (jose's createRemoteJWKSet state): the kids,
 * when it was fetched, whether jose still trusts it (cacheMaxAge) and whether an unknown kid
 * would make it refetch (not within the cooldown after a fetch).
 */
export function cachedJWKS(jwksURI: string): { kids: string[]; fetchedAt?: Date; fresh: boolean; coolingDown: boolean } {
	const set = keySets.get(jwksURI);
	const kids = (set?.jwks()?.keys ?? []).map((k) => String(k.kid ?? ''));
	const fetches = fetchLog.get(jwksURI) ?? [];
	return { kids, fetchedAt: fetches[fetches.length - 1]?.at, fresh: set?.fresh ?? false, coolingDown: set?.coolingDown ?? false };
}

/** Makes the site fetch `jwksURI` now, as jose does when its cache expires (the lab compresses that wait). */
export async function refetchJWKS(jwksURI: string): Promise<void> {
	await remoteKeySet(jwksURI).reload();
}

const kidsOf = (body: unknown): Array<Record<string, unknown>> =>
	typeof body === 'object' && body !== null && Array.isArray((body as { keys?: unknown }).keys) ? (body as { keys: Array<Record<string, unknown>> }).keys : [];

/** jose's fetch of the JWKS, logged, and recorded into the flow whose verification caused it (cache miss). */
async function recordedJWKSFetch(url: string, options: RequestInit): Promise<Response> {
	const response = await fetch(url, options);
	let keys: Array<Record<string, unknown>> = [];
	try {
		keys = kidsOf(await response.clone().json());
	} catch {
		// The verification reports a broken JWKS; the record just shows no keys.
	}
	const log = fetchLog.get(url) ?? [];
	log.push({ at: new Date(), status: response.status, kids: keys.map((k) => String(k.kid ?? '')) });
	fetchLog.set(url, log.slice(-FETCH_LOG_LENGTH));
	const lookup = currentKeyLookup.getStore();
	if (lookup) {
		lookup.fetched = true;
		lookup.recorder.request('site', 'provider', 'GET', url, {
			note: "Cache miss: the site had no key with this kid yet (or none at all), so it fetched the provider's published keys."
		});
		lookup.recorder.step({
			from: 'provider',
			to: 'site',
			label: `${response.status} JWKS`,
			fields: keys.map((k) => ({
				name: `kid ${String(k.kid)}`,
				value: `${String(k.kty)} ${String(k.alg ?? '')} use=${String(k.use ?? '')}`.trim(),
				note: 'A public key the provider signs with (RFC 7517).'
			})),
			note: 'Public keys only; jose caches them and fetches again only for an unknown kid (at most every 30 s).'
		});
	}
	return response;
}

/**
 * Runs jose's verification inside a key lookup the inspector can see, then the site's own
 * checks; records every check (passed, failed, or never reached) and the JWKS cache hit or miss.
 */
async function verifyRecorded(
	token: string,
	jwksURI: string,
	definitions: TokenCheckDefinition[],
	context: Omit<TokenCheckContext, 'header' | 'payload' | 'now'>,
	recorder: FlowRecorder | undefined,
	verify: (keySet: ReturnType<typeof createRemoteJWKSet>) => Promise<JWTPayload>,
	currentDate?: Date
): Promise<JWTPayload> {
	const set = remoteKeySet(jwksURI);
	const full: TokenCheckContext = {
		...context,
		header: safeHeader(token),
		payload: safePayload(token),
		now: Math.floor((currentDate?.getTime() ?? Date.now()) / 1000)
	};
	if (!recorder) return verify(set);
	const lookup: KeyLookup = { recorder, fetched: false };
	try {
		const payload = await currentKeyLookup.run(lookup, () => verify(set));
		full.key = set.jwks()?.keys.find((k) => k.kid === full.header.kid);
		if (!lookup.fetched) recordCacheHit(recorder, full);
		recordTokenChecks(recorder, definitions, full);
		return payload;
	} catch (error) {
		full.key = set.jwks()?.keys.find((k) => k.kid === full.header.kid);
		if (!lookup.fetched && set.jwks()) recordCacheHit(recorder, full);
		recordTokenChecks(recorder, definitions, full, error);
		throw error;
	}
}

function recordCacheHit(recorder: FlowRecorder, context: TokenCheckContext): void {
	recorder.step({
		from: 'site',
		to: 'site',
		label: 'JWKS cache hit',
		fields: [{ name: 'kid', value: String(context.header.kid ?? '(none)'), note: 'The key id in the token header: which published key signed it.' }],
		note: "No request: the key with this kid was already in the site's copy of the provider's JWKS."
	});
}

const safeHeader = (token: string): Record<string, unknown> => {
	try {
		return { ...decodeProtectedHeader(token) };
	} catch {
		return {};
	}
};
const safePayload = (token: string): Record<string, unknown> => {
	try {
		return { ...decodeJwt(token) };
	} catch {
		return {};
	}
};

export interface ExpectedIDToken {
	issuer: string;
	clientId: string;
	jwksURI: string;
	nonce: string;
	/** The access token from the same token response: its hash must match `at_hash` when present. */
	accessToken?: string;
}

const ID_TOKEN_REQUIRED_CLAIMS = ['sub', 'iat', 'exp', 'nonce'];

/**
 * OIDC Core §3.1.3.7 ID token validation, as a relying party does it: signature through the
 * provider's JWKS only, pinned `iss` and `aud`, `exp`/`iat` with a small clock skew, the
 * `nonce` we sent, and (§3.1.3.8) `at_hash` against the access token we received.
 */
export async function verifyIDToken(
	idToken: string,
	expected: ExpectedIDToken,
	recorder?: FlowRecorder,
	options: { currentDate?: Date } = {}
): Promise<JWTPayload> {
	const accessToken = expected.accessToken;
	const header = safeHeader(idToken);
	const payload = safePayload(idToken);
	const computedAtHash = accessToken && typeof header.alg === 'string' ? accessTokenHash(accessToken, header.alg) : undefined;
	return verifyRecorded(
		idToken,
		expected.jwksURI,
		ID_TOKEN_CHECKS,
		{
			expected: { issuer: expected.issuer, audience: expected.clientId, nonce: expected.nonce, requiredClaims: ID_TOKEN_REQUIRED_CLAIMS },
			clockSkewSeconds: CLOCK_SKEW_SECONDS,
			maxAgeSeconds: ID_TOKEN_MAX_AGE_SECONDS,
			computedAtHash: typeof payload.at_hash === 'string' ? computedAtHash : undefined,
			accessTokenReceived: accessToken !== undefined
		},
		recorder,
		async (keySet) => {
			const { payload, protectedHeader } = await jwtVerify(idToken, keySet, {
				issuer: expected.issuer,
				audience: expected.clientId,
				algorithms: ALLOWED_ALGORITHMS,
				requiredClaims: ID_TOKEN_REQUIRED_CLAIMS,
				clockTolerance: CLOCK_SKEW_SECONDS,
				maxTokenAge: ID_TOKEN_MAX_AGE_SECONDS,
				// The site's clock; the common-issues lab moves it forward to show an expired token.
				currentDate: options.currentDate
			});
			if (payload.nonce !== expected.nonce) throw new TokenCheckFailed('nonce', 'the ID token nonce does not match this sign-in');
			// §3.1.3.7 rule 4-5: with several audiences, `azp` must name us.
			if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== expected.clientId) {
				throw new TokenCheckFailed('azp', 'the ID token was issued for another client');
			}
			// §3.1.3.8 / §3.2.2.9: at_hash binds the access token to this ID token, so a
			// substituted access token (another user's, or one the attacker obtained) is refused.
			if (accessToken !== undefined && payload.at_hash !== undefined) {
				if (typeof payload.at_hash !== 'string' || !atHashMatches(payload.at_hash, accessToken, protectedHeader.alg)) {
					throw new TokenCheckFailed('at_hash', "the ID token's at_hash does not match the access token");
				}
			}
			return payload;
		},
		options.currentDate
	);
}

/**
 * How any backend verifies a provider session JWT: JWKS signature, `iss`, `aud` (the
 * issuer) and `typ: JWT`, which an access token (`at+jwt`) does not have.
 */
export async function verifySessionJWT(token: string, expected: { issuer: string; jwksURI: string }, recorder?: FlowRecorder): Promise<JWTPayload> {
	return verifyRecorded(
		token,
		expected.jwksURI,
		SESSION_JWT_CHECKS,
		{ expected: { issuer: expected.issuer, audience: expected.issuer, typ: 'JWT', requiredClaims: ['sub', 'exp'] }, clockSkewSeconds: 0 },
		recorder,
		async (keySet) =>
			(
				await jwtVerify(token, keySet, {
					issuer: expected.issuer,
					audience: expected.issuer,
					typ: 'JWT',
					algorithms: ALLOWED_ALGORITHMS,
					requiredClaims: ['sub', 'exp']
				})
			).payload
	);
}

const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const LOGOUT_TOKEN_MAX_AGE_SECONDS = 5 * 60;

/**
 * Back-Channel Logout 1.0 §2.6 logout token validation: JWKS signature, `iss`, `aud`,
 * `iat`, `typ: logout+jwt`, the logout event, `sid` or `sub`, and no `nonce`. (The replay
 * check on `jti`, step 10, is the caller's: logout-replay.ts.)
 */
export async function verifyLogoutToken(
	token: string,
	expected: { issuer: string; clientId: string; jwksURI: string },
	recorder?: FlowRecorder
): Promise<{ sid?: string; sub?: string; jti: string; expiresAt: Date }> {
	// The replay check is recorded by the caller once it has asked the replay cache.
	const definitions = LOGOUT_TOKEN_CHECKS.filter((d) => d.id !== 'jti');
	const payload = await verifyRecorded(
		token,
		expected.jwksURI,
		definitions,
		{
			expected: { issuer: expected.issuer, audience: expected.clientId, typ: 'logout+jwt', requiredClaims: ['iat', 'exp', 'jti', 'events'] },
			clockSkewSeconds: 0,
			maxAgeSeconds: LOGOUT_TOKEN_MAX_AGE_SECONDS
		},
		recorder,
		async (keySet) => {
			const { payload } = await jwtVerify(token, keySet, {
				issuer: expected.issuer,
				audience: expected.clientId,
				typ: 'logout+jwt',
				algorithms: ALLOWED_ALGORITHMS,
				requiredClaims: ['iat', 'exp', 'jti', 'events'],
				maxTokenAge: LOGOUT_TOKEN_MAX_AGE_SECONDS
			});
			const events = payload.events;
			if (typeof events !== 'object' || events === null || !(LOGOUT_EVENT in events))
				throw new TokenCheckFailed('events', 'not a logout token: the logout event is missing');
			if ('nonce' in payload) throw new TokenCheckFailed('no-nonce', 'a logout token must not contain a nonce');
			if (!(typeof payload.sid === 'string' && payload.sid) && !(typeof payload.sub === 'string' && payload.sub))
				throw new TokenCheckFailed('sid-or-sub', 'a logout token must contain sid or sub');
			if (typeof payload.jti !== 'string' || !payload.jti) throw new TokenCheckFailed('required', 'a logout token must contain a jti');
			return payload;
		}
	);
	const sid = typeof payload.sid === 'string' && payload.sid ? payload.sid : undefined;
	const sub = typeof payload.sub === 'string' && payload.sub ? payload.sub : undefined;
	return { sid, sub, jti: payload.jti as string, expiresAt: new Date(payload.exp! * 1000) };
}
