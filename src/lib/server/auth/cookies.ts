import type { Cookies } from '@sveltejs/kit';

/**
 * The provider's session cookie. Cookies ignore ports, so the demo sites use `rp_*` names.
 * On https it carries the `__Host-` prefix (RFC 6265bis §4.1.3.2): browsers accept it only
 * with Secure, Path=/ and no Domain, so no sibling subdomain and no plain-http response can
 * plant or overwrite it. Browsers refuse the prefix without Secure, so http keeps the bare name.
 */
export function sessionCookieName(secure: boolean): string {
	return secure ? '__Host-op_session' : 'op_session';
}

/** httpOnly + SameSite=Lax; Secure follows the origin's scheme (Kit's default misses 127.0.0.1). */
export function setSessionCookie(cookies: Cookies, token: string, expiresAt: Date, secure: boolean): void {
	cookies.set(sessionCookieName(secure), token, { path: '/', httpOnly: true, sameSite: 'lax', secure, expires: expiresAt });
}

export function deleteSessionCookie(cookies: Cookies, secure: boolean): void {
	cookies.delete(sessionCookieName(secure), { path: '/', httpOnly: true, sameSite: 'lax', secure });
}
