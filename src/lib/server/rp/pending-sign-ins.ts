import { hmac } from '@oslojs/crypto/hmac';
import { SHA256, sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding } from '@oslojs/encoding';
import type { PendingSignIn } from './flow';

/**
 * The sign-ins this browser has started and not finished, each keyed by its `state`.
 *
 * One pending sign-in per browser broke the first tab as soon as a second tab started one:
 * the callback's `state` no longer matched. RFC 6749 §10.12 and RFC 9700 §4.7 ask only that
 * `state` bind the response to *this browser*; nothing limits a browser to one flow. So the
 * flow cookie holds a short list, found by `state` and used once, bounded in number and age so
 * it stays small (a few hundred bytes per flow; browsers cap a cookie at 4096).
 */
export interface PendingFlow extends PendingSignIn {
	/** Where the browser goes once signed in: a path on this site. */
	returnTo: string;
	/** Seconds since the epoch. */
	createdAt: number;
}

/** At most this many flows wait at once; starting another drops the oldest. */
export const MAX_PENDING_FLOWS = 5;
/** Architecture rule 7: flow state lives 10 minutes (the cookie's Max-Age too). */
export const PENDING_FLOW_TTL_SECONDS = 600;

/** Adds a new flow: expired ones and the oldest beyond the limit are dropped. */
export function addPendingFlow(flows: PendingFlow[], flow: PendingFlow, now: Date): PendingFlow[] {
	return [...livePendingFlows(flows, now).filter((f) => f.state !== flow.state), flow].slice(-MAX_PENDING_FLOWS);
}

/**
 * The flow a callback's `state` belongs to, and the flows left once it is used: a flow is
 * used at most once, so a replayed callback finds nothing (RFC 9700 §4.7.1: `state` is
 * one-time use). Other tabs' flows stay.
 */
export function takePendingFlow(flows: PendingFlow[], state: string | null, now: Date): { flow: PendingFlow | null; remaining: PendingFlow[] } {
	const live = livePendingFlows(flows, now);
	const flow = state ? (live.find((f) => f.state === state) ?? null) : null;
	return { flow, remaining: flow ? live.filter((f) => f !== flow) : live };
}

function livePendingFlows(flows: PendingFlow[], now: Date): PendingFlow[] {
	const nowSeconds = Math.floor(now.getTime() / 1000);
	return flows.filter((f) => f.createdAt <= nowSeconds && nowSeconds - f.createdAt < PENDING_FLOW_TTL_SECONDS);
}

/**
 * A return path on this site only: a path that starts with one `/` (not `//host` or `/\host`,
 * which browsers read as another origin), else the home page. Prevents an open redirect.
 */
export function safeReturnPath(value: unknown): string {
	if (typeof value !== 'string' || value.length > 512 || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
	if (/[\u0000-\u001f\u007f]/.test(value)) return '/';
	return value;
}

/**
 * The cookie's value: the flows as JSON, base64url, then an HMAC-SHA256 over it. The key is
 * derived from the site's client secret, which only the site holds, so a cookie planted by
 * someone else (a sibling host, a network attacker on http) is ignored rather than trusted as
 * this browser's flow: the `state` check is then the login-CSRF defence it is meant to be.
 */
export function sealPendingFlows(flows: PendingFlow[], secret: string): string {
	const body = encodeBase64urlNoPadding(
		new TextEncoder().encode(JSON.stringify(flows.map((f) => [f.state, f.nonce, f.codeVerifier, f.returnTo, f.createdAt])))
	);
	return `${body}.${encodeBase64urlNoPadding(mac(body, secret))}`;
}

/** The flows in a cookie value, or none when it is absent, altered, or not ours. */
export function openPendingFlows(value: string | undefined, secret: string): PendingFlow[] {
	if (!value || value.length > 4096) return [];
	const [body, tag, extra] = value.split('.');
	if (!body || !tag || extra !== undefined) return [];
	try {
		if (!constantTimeEqual(decodeBase64urlIgnorePadding(tag), mac(body, secret))) return [];
		const parsed: unknown = JSON.parse(new TextDecoder().decode(decodeBase64urlIgnorePadding(body)));
		return Array.isArray(parsed) ? parsed.flatMap(toPendingFlow) : [];
	} catch {
		return [];
	}
}

function toPendingFlow(entry: unknown): PendingFlow[] {
	if (!Array.isArray(entry) || entry.length !== 5) return [];
	const [state, nonce, codeVerifier, returnTo, createdAt] = entry as unknown[];
	if (typeof state !== 'string' || typeof nonce !== 'string' || typeof codeVerifier !== 'string' || typeof createdAt !== 'number') return [];
	if (!state || !nonce || !codeVerifier) return [];
	return [{ state, nonce, codeVerifier, returnTo: safeReturnPath(returnTo), createdAt }];
}

function mac(body: string, secret: string): Uint8Array {
	const key = sha256(new TextEncoder().encode(`rp pending sign-ins\u0000${secret}`));
	return hmac(SHA256, key, new TextEncoder().encode(body));
}
