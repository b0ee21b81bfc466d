import { decodeJwt, decodeProtectedHeader } from 'jose';
import {
	describeVerificationFailure,
	diagnoseEmptyJWKS,
	diagnoseExpiredToken,
	diagnoseInvalidSignature,
	diagnoseKeyRotation,
	diagnoseRedirectMismatch,
	type CachePolicy,
	type Diagnosis,
	type InvalidSignatureVariant,
	type KeyRotationRun,
	type RotationSignIn,
	type VerificationFailure
} from './common-issues-lab';
import type { ProviderMetadata } from './discovery';
import { startSignIn, type RelyingParty } from './flow';
import type { FlowTrace } from './flow-trace';
import { alterOnePayloadCharacter, signWithForeignKey } from './lab-tokens';
import { cachedJWKS, CLOCK_SKEW_SECONDS, jwksFetches, refetchJWKS, verifyIDToken } from './verify';

/**
 * The lab's runs (common-issues-lab.ts): each triggers its issue for real with the site's own
 * verification (verify.ts) or the provider over HTTP, and hands what happened to the diagnosis.
 */

/** jose createRemoteJWKSet defaults, which verify.ts uses (key-lifecycle.ts says the same for the provider's page). */
export const SITE_JWKS_CACHE: CachePolicy = { cooldownSeconds: 30, maxAgeSeconds: 600 };

export interface LabContext {
	issuer: string;
	rp: RelyingParty;
	/** The site's own origin from configuration (never from the request's Host header). */
	siteURL: URL;
	provider: ProviderMetadata;
}

/** The path of the empty key set the site serves for scenario 1 (src/routes/(rp)/lab/empty-jwks). */
export const EMPTY_JWKS_PATH = '/lab/empty-jwks';

/** The site's verification of `idToken` as at sign-in (the nonce it checked then), with an optional clock. */
async function verifyAsTheSite(context: LabContext, idToken: string, jwksURI: string, currentDate?: Date): Promise<VerificationFailure | null> {
	const nonce = decodeJwt(idToken).nonce;
	try {
		await verifyIDToken(idToken, { issuer: context.issuer, clientId: context.rp.clientId, jwksURI, nonce: typeof nonce === 'string' ? nonce : '' }, undefined, {
			currentDate
		});
		return null;
	} catch (error) {
		return describeVerificationFailure(error);
	}
}

const kidOf = (token: string) => String(decodeProtectedHeader(token).kid ?? '(none)');

/** Scenario 1: the site's ID token against a JWKS with no keys, which the site serves itself. */
export async function runEmptyJWKS(context: LabContext, idToken: string): Promise<Diagnosis> {
	const emptyJWKSURI = new URL(EMPTY_JWKS_PATH, context.siteURL).href;
	const failure = await verifyAsTheSite(context, idToken, emptyJWKSURI);
	const fetches = jwksFetches(emptyJWKSURI);
	const response = await fetch(context.provider.jwks_uri, { headers: { accept: 'application/json' } });
	const body: unknown = response.ok ? await response.json() : {};
	const keys =
		typeof body === 'object' && body !== null && Array.isArray((body as { keys?: unknown }).keys) ? (body as { keys: Array<{ kid?: unknown }> }).keys : [];
	return diagnoseEmptyJWKS({
		emptyJWKSURI,
		fetchedAt: fetches[fetches.length - 1]?.at,
		tokenKid: kidOf(idToken),
		failure,
		providerJWKSURI: context.provider.jwks_uri,
		providerKids: keys.map((k) => String(k.kid ?? ''))
	});
}

/** Scenario 2: the site's ID token with one payload character changed, or re-signed by a foreign key. */
export async function runInvalidSignature(context: LabContext, idToken: string, variant: InvalidSignatureVariant): Promise<Diagnosis> {
	const jwksURI = context.provider.jwks_uri;
	if (variant === 'altered-payload') {
		const altered = alterOnePayloadCharacter(idToken);
		const failure = await verifyAsTheSite(context, altered.token, jwksURI);
		return diagnoseInvalidSignature({ variant, kid: kidOf(idToken), altered, jwksKids: cachedJWKS(jwksURI).kids, failure });
	}
	const forged = await signWithForeignKey(idToken);
	const failure = await verifyAsTheSite(context, forged.token, jwksURI);
	return diagnoseInvalidSignature({ variant, kid: kidOf(idToken), foreignKeyThumbprint: forged.thumbprint, jwksKids: cachedJWKS(jwksURI).kids, failure });
}

/** Scenario 4: the site's ID token with the site's clock one second past exp + the allowed skew. */
export async function runExpiredToken(context: LabContext, idToken: string, now = new Date()): Promise<Diagnosis> {
	const { iat, exp } = decodeJwt(idToken);
	if (typeof exp !== 'number' || typeof iat !== 'number') throw new Error('the ID token has no exp or iat');
	const checkedAt = new Date((exp + CLOCK_SKEW_SECONDS + 1) * 1000);
	const failure = await verifyAsTheSite(context, idToken, context.provider.jwks_uri, checkedAt);
	return diagnoseExpiredToken({ iat, exp, clockSkewSeconds: CLOCK_SKEW_SECONDS, checkedAt, realNow: now, failure });
}

/** The redirect_uri scenario 3 sends: on this site, but not registered for its client. */
export const UNREGISTERED_CALLBACK_PATH = '/lab/unregistered-callback';

/** Scenario 3: an authorization request that is right in every way but its redirect_uri. */
export function redirectMismatchRequest(context: LabContext, now = new Date()): { url: URL; run: RedirectMismatchRun } {
	const sentRedirectURI = new URL(UNREGISTERED_CALLBACK_PATH, context.siteURL).href;
	// A real authorization request (state, nonce, PKCE) but for the unregistered redirect_uri.
	const { url } = startSignIn({ ...context.rp, redirectURI: sentRedirectURI }, context.provider);
	return { url, run: { sentRedirectURI, sentAt: now.toISOString() } };
}

export interface RedirectMismatchRun {
	sentRedirectURI: string;
	sentAt: string;
}

export function diagnoseRedirectRun(context: LabContext, run: RedirectMismatchRun): Diagnosis {
	return diagnoseRedirectMismatch({
		clientId: context.rp.clientId,
		sentRedirectURI: run.sentRedirectURI,
		registeredRedirectURI: context.rp.redirectURI,
		sentAt: new Date(run.sentAt),
		authorizationEndpoint: context.provider.authorization_endpoint
	});
}

/** The provider's answer to POST /dev/keys/rotate (oidc/dev-key-rotation.ts RotationResult), narrowed. */
interface ProviderRotation {
	kid: string;
	publishedAt: Date;
	signsFrom: Date;
	previousKid?: string;
}

export class LabUnavailable extends Error {}

/**
 * Asks the provider to rotate (development only): the site's client credentials by its
 * registered method, as at the token endpoint; server to server, never through the browser.
 */
export async function requestKeyRotation(
	context: LabContext,
	mode: 'unannounced' | 'publish-ahead' | 'promote',
	fetchFn: typeof fetch = fetch
): Promise<ProviderRotation> {
	const form = new URLSearchParams({ mode });
	const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
	if (context.rp.tokenEndpointAuthMethod === 'client_secret_post') {
		form.set('client_id', context.rp.clientId);
		form.set('client_secret', context.rp.clientSecret);
	} else {
		const credentials = `${encodeURIComponent(context.rp.clientId)}:${encodeURIComponent(context.rp.clientSecret)}`;
		headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
	}
	const response = await fetchFn(new URL('/dev/keys/rotate', context.issuer), { method: 'POST', headers, body: form });
	if (response.status === 404) throw new LabUnavailable("The provider's developer pages are off (DEVELOPER_PAGES), so it offers no key rotation to the lab.");
	let body: unknown;
	try {
		body = await response.json();
	} catch {
		body = undefined;
	}
	const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
	if (!response.ok)
		throw new LabUnavailable(
			`The provider refused the rotation (HTTP ${response.status}): ${String(record.error_description ?? record.error ?? 'no reason given')}`
		);
	const { kid, publishedAt, signsFrom, previousKid } = record;
	if (typeof kid !== 'string' || typeof publishedAt !== 'string' || typeof signsFrom !== 'string')
		throw new LabUnavailable("The provider's rotation answer was incomplete.");
	return { kid, publishedAt: new Date(publishedAt), signsFrom: new Date(signsFrom), ...(typeof previousKid === 'string' ? { previousKid } : {}) };
}

/**
 * Scenario 5: notes what the site's cached JWKS holds, then has the provider rotate:
 * `unannounced` (a new key signs at once) or `publish-ahead`, where the lab compresses the
 * real waits: the successor is published, the site refreshes its cache (as jose does once its
 * 10-minute cache life ends), and the successor starts signing (as after 15 minutes).
 */
export async function startKeyRotation(context: LabContext, mode: 'unannounced' | 'publish-ahead', now = () => new Date()): Promise<KeyRotationRun> {
	const jwksURI = context.provider.jwks_uri;
	const startedAt = now();
	const before = cachedJWKS(jwksURI);
	if (mode === 'unannounced') {
		const rotation = await requestKeyRotation(context, 'unannounced');
		return { mode, startedAt, cachedKids: before.kids, cachedAt: before.fetchedAt, ...rotation };
	}
	const published = await requestKeyRotation(context, 'publish-ahead');
	await refetchJWKS(jwksURI);
	const refreshed = cachedJWKS(jwksURI);
	const promoted = await requestKeyRotation(context, 'promote');
	return {
		mode,
		startedAt,
		cachedKids: before.kids,
		cachedAt: before.fetchedAt,
		kid: promoted.kid,
		publishedAt: published.publishedAt,
		signsFrom: promoted.signsFrom,
		previousKid: promoted.previousKid,
		refreshedAt: refreshed.fetchedAt,
		refreshedKids: refreshed.kids
	};
}

/** The sign-ins the flow inspector recorded after the rotation, oldest first (flows come newest first). */
export function signInsAfter(run: KeyRotationRun, flows: FlowTrace[], jwksURI: string): RotationSignIn[] {
	const jwksPath = new URL(jwksURI).pathname;
	return [...flows]
		.reverse()
		.filter((f) => f.kind === 'sign-in' && new Date(f.recordedAt) >= run.startedAt)
		.map((flow) => {
			const keyCheck = flow.checks.find((c) => c.id === 'key' && c.result === 'failed');
			return {
				at: new Date(flow.recordedAt),
				outcome: flow.outcome,
				tokenKid: typeof flow.token?.header.kid === 'string' ? flow.token.header.kid : undefined,
				refetched: flow.steps.some((s) => s.from === 'site' && s.to === 'provider' && s.label === `GET ${jwksPath}`),
				// The check detail ends with jose's message after an em dash (token-checks.ts recordTokenChecks).
				failureMessage: keyCheck?.detail.split(' — ').slice(1).join(' — ') || undefined
			};
		});
}

/**
 * The rotation's diagnosis: of the sign-ins since, the first that succeeded (after any that
 * failed within the cooldown, which the diagnosis mentions), or else the last that failed.
 */
export function diagnoseRotationRun(run: KeyRotationRun, flows: FlowTrace[], jwksURI: string): Diagnosis {
	const signIns = signInsAfter(run, flows, jwksURI);
	const succeeded = signIns.find((s) => s.outcome === 'succeeded');
	const chosen = succeeded ?? signIns[signIns.length - 1];
	const noted: RotationSignIn | undefined = run.refusedSignIn && { ...run.refusedSignIn, outcome: 'failed', refetched: false };
	const earlierFailure = succeeded
		? (signIns.find((s) => s.outcome === 'failed' && s.at < succeeded.at) ?? (noted && noted.at < succeeded.at ? noted : undefined))
		: undefined;
	return diagnoseKeyRotation(run, chosen, SITE_JWKS_CACHE, earlierFailure);
}

/** The run with its first refused sign-in noted (for the lab cookie), or null when there is nothing new to note. */
export function noteRefusedSignIn(run: KeyRotationRun, flows: FlowTrace[], jwksURI: string): KeyRotationRun | null {
	if (run.refusedSignIn) return null;
	const refused = signInsAfter(run, flows, jwksURI).find((s) => s.outcome === 'failed');
	return refused ? { ...run, refusedSignIn: { at: refused.at, ...(refused.failureMessage ? { failureMessage: refused.failureMessage } : {}) } } : null;
}

/**
 * What the lab remembers between the click and the browser's return (in an HttpOnly cookie of
 * the site): the last key rotation and the last redirect_uri sent. Public key ids and times
 * only; a browser that edits it only changes its own page.
 */
export interface LabState {
	rotation?: KeyRotationRun;
	redirect?: RedirectMismatchRun;
}

export function serializeLabState(state: LabState): string {
	return encodeURIComponent(JSON.stringify(state));
}

export function parseLabState(value: string | undefined): LabState {
	if (!value) return {};
	let raw: unknown;
	try {
		raw = JSON.parse(decodeURIComponent(value));
	} catch {
		return {};
	}
	if (typeof raw !== 'object' || raw === null) return {};
	const { rotation, redirect } = raw as Record<string, unknown>;
	return {
		...(parseRotation(rotation) ? { rotation: parseRotation(rotation) } : {}),
		...(parseRedirect(redirect) ? { redirect: parseRedirect(redirect) } : {})
	};
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);
const dateOf = (v: unknown): Date | undefined => {
	if (!isString(v)) return undefined;
	const d = new Date(v);
	return Number.isNaN(d.getTime()) ? undefined : d;
};

function parseRotation(value: unknown): KeyRotationRun | undefined {
	if (typeof value !== 'object' || value === null) return undefined;
	const r = value as Record<string, unknown>;
	const startedAt = dateOf(r.startedAt);
	const publishedAt = dateOf(r.publishedAt);
	const signsFrom = dateOf(r.signsFrom);
	if ((r.mode !== 'unannounced' && r.mode !== 'publish-ahead') || !startedAt || !publishedAt || !signsFrom || !isString(r.kid) || !isStrings(r.cachedKids))
		return undefined;
	return {
		mode: r.mode,
		startedAt,
		publishedAt,
		signsFrom,
		kid: r.kid,
		cachedKids: r.cachedKids,
		cachedAt: dateOf(r.cachedAt),
		...(isString(r.previousKid) ? { previousKid: r.previousKid } : {}),
		...(dateOf(r.refreshedAt) ? { refreshedAt: dateOf(r.refreshedAt) } : {}),
		...(isStrings(r.refreshedKids) ? { refreshedKids: r.refreshedKids } : {}),
		...(parseRefused(r.refusedSignIn) ? { refusedSignIn: parseRefused(r.refusedSignIn) } : {})
	};
}

function parseRefused(value: unknown): KeyRotationRun['refusedSignIn'] {
	if (typeof value !== 'object' || value === null) return undefined;
	const r = value as Record<string, unknown>;
	const at = dateOf(r.at);
	return at ? { at, ...(isString(r.failureMessage) ? { failureMessage: r.failureMessage } : {}) } : undefined;
}

function parseRedirect(value: unknown): RedirectMismatchRun | undefined {
	if (typeof value !== 'object' || value === null) return undefined;
	const r = value as Record<string, unknown>;
	return isString(r.sentRedirectURI) && dateOf(r.sentAt) ? { sentRedirectURI: r.sentRedirectURI, sentAt: r.sentAt as string } : undefined;
}
