import type { Cookies } from '@sveltejs/kit';

// Each site has its own names: localhost:3001 and localhost:3002 share one cookie jar.
export const rpSessionCookie = (site: string) => `rp_${site}_session`;
export const rpFlowCookie = (site: string) => `rp_${site}_signin`;

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
