import type { Cookies } from '@sveltejs/kit';

/** The provider's session cookie. Cookies ignore ports, so the demo sites use `rp_*` names. */
export const SESSION_COOKIE = 'op_session';

/** httpOnly + SameSite=Lax; Secure follows the origin's scheme (Kit's default misses 127.0.0.1). */
export function setSessionCookie(cookies: Cookies, token: string, expiresAt: Date, secure: boolean): void {
	cookies.set(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax', secure, expires: expiresAt });
}

export function deleteSessionCookie(cookies: Cookies, secure: boolean): void {
	cookies.delete(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure });
}
