import type { Cookies } from '@sveltejs/kit';

// Each site has its own names: localhost:3001 and localhost:3002 share one cookie jar. On an
// https origin the names carry the `__Host-` prefix (RFC 6265bis §4.1.3.2: Secure, Path=/, no
// Domain), which browsers refuse without Secure, so http keeps the bare names.
const prefix = (secure: boolean) => (secure ? '__Host-' : '');
export const rpSessionCookie = (site: string, secure: boolean) => `${prefix(secure)}rp_${site}_session`;
export const rpFlowCookie = (site: string, secure: boolean) => `${prefix(secure)}rp_${site}_signin`;

const FLOW_TTL_SECONDS = 600;

export function setRPCookie(cookies: Cookies, name: string, value: string, secure: boolean, expires?: Date): void {
	cookies.set(name, value, {
		path: '/',
		httpOnly: true,
		sameSite: 'lax',
		secure,
		...(expires ? { expires } : { maxAge: FLOW_TTL_SECONDS })
	});
}

export function deleteRPCookie(cookies: Cookies, name: string, secure: boolean): void {
	cookies.delete(name, { path: '/', httpOnly: true, sameSite: 'lax', secure });
}

/** The flow inspector's log (flow-inspector-store.ts): its own cookie, so the flow that ended a session stays visible. */
export const rpInspectorCookie = (site: string, secure: boolean) => `${prefix(secure)}rp_${site}_inspector`;
