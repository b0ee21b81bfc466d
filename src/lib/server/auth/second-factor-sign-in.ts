// Where every first factor (password, upstream sign-in, linking) goes next: straight to a
// session, or, for a user with a confirmed authenticator, to the code page. Routes call this
// instead of completeSignIn, so no path to a session can skip the second factor.
import type { Cookies } from '@sveltejs/kit';
import { eq } from 'drizzle-orm';
import type { Database } from '../db';
import { users } from '../db/schema';
import { setSessionCookie } from './cookies';
import { beginSecondFactor, SECOND_FACTOR_PATH } from './second-factor';
import { completeSignIn, type CompletedSignIn } from './sign-in-completion';
import { hasConfirmedTOTP } from './totp-credentials';

// httpOnly, SameSite=Lax, only sent to the code page; `__Secure-` on https (RFC 6265bis
// §4.1.3.1; `__Host-` would need Path=/). Its value names the pending sign-in; without it, in
// another browser, the pending sign-in cannot be finished.
const cookieName = (secure: boolean) => (secure ? '__Secure-op_second_factor' : 'op_second_factor');
const cookieOptions = (secure: boolean) => ({ path: SECOND_FACTOR_PATH, httpOnly: true, sameSite: 'lax' as const, secure });

export function readSecondFactorCookie(cookies: Cookies, secure: boolean): string | null {
	return cookies.get(cookieName(secure)) ?? null;
}

export function deleteSecondFactorCookie(cookies: Cookies, secure: boolean): void {
	cookies.delete(cookieName(secure), cookieOptions(secure));
}

/**
 * After a proven first factor: a session (cookie set), or a pending sign-in that waits
 * `pendingSeconds` for the code. Returns where the browser goes next.
 */
export async function signInOrAskSecondFactor(
	db: Database,
	cookies: Cookies,
	secure: boolean,
	signIn: CompletedSignIn,
	returnTo: string | null,
	pendingSeconds: number
): Promise<string> {
	if (await hasConfirmedTOTP(db, signIn.userId)) {
		const [user] = await db.select({ email: users.email }).from(users).where(eq(users.id, signIn.userId)).limit(1);
		const token = await beginSecondFactor(
			db,
			{ userId: signIn.userId, email: user?.email ?? '', amr: signIn.amr, method: signIn.method, returnTo },
			pendingSeconds
		);
		cookies.set(cookieName(secure), token, { ...cookieOptions(secure), maxAge: pendingSeconds });
		return SECOND_FACTOR_PATH;
	}
	const { token, session } = await completeSignIn(db, signIn);
	setSessionCookie(cookies, token, session.expiresAt, secure);
	return returnTo ?? '/account';
}
