import type { Database } from '../db';
import { recordSecurityEvent, type RequestOrigin } from './security-log';
import { createSession, invalidateSession, recordStepUp, type Session } from './session';

export interface CompletedSignIn {
	userId: string;
	/** RFC 8176 methods, space-separated (`pwd`, `fed`, `pwd otp mfa`, `hwk mfa`). */
	amr: string;
	/** For the security log: `password`, `passkey`, or the upstream's id (`github`, `google`, ...). */
	method: string;
	origin: RequestOrigin;
	/** The session the browser had before, ended here: a new session id on every sign-in. */
	replacing?: string | null;
	/** The sign-in form's submission id: a double-clicked form leaves one session (sign-in-submission.ts). */
	submission?: string | null;
}

/**
 * The one place a sign-in becomes a session, whatever the method: the old session ends (a
 * session fixed before sign-in is never promoted, OWASP session fixation), the new one records
 * where it came from, and the security log gets its line. The caller sets the cookie.
 */
export async function completeSignIn(db: Database, signIn: CompletedSignIn, now = new Date()): Promise<{ token: string; session: Session }> {
	if (signIn.replacing) await invalidateSession(db, signIn.replacing);
	const created = await createSession(db, signIn.userId, {
		now,
		amr: signIn.amr,
		userAgent: signIn.origin.userAgent,
		ipAddress: signIn.origin.ipAddress,
		submission: signIn.submission
	});
	await recordSecurityEvent(db, signIn.userId, 'sign-in', { method: signIn.method, amr: signIn.amr }, signIn.origin, now);
	return created;
}

/**
 * A step-up of a signed-in session (OIDC Core §3.1.2.1 `acr_values`: an application asked for
 * two-step verification): the session takes the stronger methods, and the security log gets its
 * line like a sign-in, since the session can now do what only the second factor allowed.
 */
export async function completeStepUp(
	db: Database,
	stepUp: { sessionId: string; userId: string; amr: string; origin: RequestOrigin },
	now = new Date()
): Promise<void> {
	await recordStepUp(db, stepUp.sessionId, stepUp.amr, now);
	await recordSecurityEvent(db, stepUp.userId, 'step-up', { amr: stepUp.amr }, stepUp.origin, now);
}
