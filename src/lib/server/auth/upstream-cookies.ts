import type { Cookies } from '@sveltejs/kit';
import type { UpstreamFlow } from './upstream';
import { PENDING_LINK_TTL_SECONDS } from './upstream-accounts';
import { safeReturnTo } from './return-to';

// The cookies of a sign-in at an upstream. httpOnly, SameSite=Lax (the upstream's redirect back
// is a top-level GET, which Lax lets through), Secure on https, and scoped to the one path that
// reads them. `__Host-` needs Path=/, so on https these take `__Secure-` (RFC 6265bis §4.1.3.1):
// still never set by a plain-http response.
const FLOW_TTL_SECONDS = 10 * 60;

const flowCookieName = (secure: boolean) => (secure ? '__Secure-op_upstream_flow' : 'op_upstream_flow');
const linkCookieName = (secure: boolean) => (secure ? '__Secure-op_upstream_link' : 'op_upstream_link');
const callbackPath = (id: string) => `/auth/upstream/${id}/callback`;
export const LINK_PATH = '/auth/upstream/link';

export interface StoredFlow {
	flow: UpstreamFlow;
	returnTo: string | null;
}

/** State, nonce and PKCE verifier for the callback, valid 10 minutes (ARCHITECTURE.md rule 7). */
export function setFlowCookie(cookies: Cookies, upstreamId: string, stored: StoredFlow, secure: boolean): void {
	cookies.set(flowCookieName(secure), JSON.stringify(stored), {
		path: callbackPath(upstreamId),
		httpOnly: true,
		sameSite: 'lax',
		secure,
		maxAge: FLOW_TTL_SECONDS
	});
}

/** The flow this browser started (and forgets it: a callback is used once). */
export function takeFlowCookie(cookies: Cookies, upstreamId: string, secure: boolean): StoredFlow | null {
	const raw = cookies.get(flowCookieName(secure));
	if (raw === undefined) return null;
	cookies.delete(flowCookieName(secure), { path: callbackPath(upstreamId), httpOnly: true, sameSite: 'lax', secure });
	try {
		const value: unknown = JSON.parse(raw);
		if (typeof value !== 'object' || value === null) return null;
		const { flow, returnTo } = value as Record<string, unknown>;
		if (typeof flow !== 'object' || flow === null) return null;
		const { state, codeVerifier, nonce } = flow as Record<string, unknown>;
		if (typeof state !== 'string' || (codeVerifier !== null && typeof codeVerifier !== 'string') || (nonce !== null && typeof nonce !== 'string')) return null;
		return { flow: { state, codeVerifier, nonce }, returnTo: safeReturnTo(returnTo) };
	} catch {
		return null;
	}
}

export interface StoredLink {
	token: string;
	returnTo: string | null;
}

/** The pending link (one_time_token `id.secret`) while the owner proves the account is theirs. */
export function setLinkCookie(cookies: Cookies, stored: StoredLink, secure: boolean): void {
	cookies.set(linkCookieName(secure), JSON.stringify(stored), { path: LINK_PATH, httpOnly: true, sameSite: 'lax', secure, maxAge: PENDING_LINK_TTL_SECONDS });
}

export function readLinkCookie(cookies: Cookies, secure: boolean): StoredLink | null {
	const raw = cookies.get(linkCookieName(secure));
	if (raw === undefined) return null;
	try {
		const value: unknown = JSON.parse(raw);
		if (typeof value !== 'object' || value === null) return null;
		const { token, returnTo } = value as Record<string, unknown>;
		return typeof token === 'string' ? { token, returnTo: safeReturnTo(returnTo) } : null;
	} catch {
		return null;
	}
}

export function deleteLinkCookie(cookies: Cookies, secure: boolean): void {
	cookies.delete(linkCookieName(secure), { path: LINK_PATH, httpOnly: true, sameSite: 'lax', secure });
}

/** The sign-in page, keeping where the person was going. */
export function signInHref(returnTo: string | null): string {
	return returnTo ? `/auth/login?return_to=${encodeURIComponent(returnTo)}` : '/auth/login';
}
