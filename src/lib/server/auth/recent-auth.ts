// Sensitive account actions (password, email, deletion) need a recent authentication, not just
// a session: a session lives for weeks and may have been left open on a shared computer or
// stolen, while the person at the keyboard a few minutes after a sign-in is very likely its owner.
// OIDC Core §3.1.2.1 `max_age` / `prompt=login` is the same idea for relying parties.

export { DEFAULT_RECENT_AUTH_SECONDS } from '../config-recent-auth';

/** Where sensitive pages send a session whose authentication is too old. */
export const LOGIN_PATH = '/auth/login';

/** Whether a session that authenticated at `authTime` may do a sensitive action at `now`. */
export function isRecentAuthentication(authTime: Date, maxAgeSeconds: number, now = new Date()): boolean {
	const age = now.getTime() - authTime.getTime();
	// A clock step backwards makes the age negative: still recent, the sign-in cannot be in the future.
	return age <= maxAgeSeconds * 1000;
}

/**
 * The sign-in page asking for a fresh authentication (`prompt=login`: the page asks even with a
 * session) and coming back to `returnTo` afterwards, with a sentence saying why (a key of
 * notices.ts LOGIN_NOTICES).
 */
export function reauthenticationPath(returnTo: string, notice = 'reauthenticate'): string {
	return `${LOGIN_PATH}?${new URLSearchParams({ prompt: 'login', return_to: returnTo, notice })}`;
}
