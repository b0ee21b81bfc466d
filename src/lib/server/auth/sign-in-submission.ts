import { encodeBase64urlNoPadding } from '@oslojs/encoding';

// A sign-in form sent twice (a double click without JavaScript: the browser sends both POSTs
// and keeps the answer to the last) must leave one session, not two. Each rendering of the form
// carries a random submission id; the session a sign-in makes records it (hashed), and a repeat
// with the same id for the same user takes that session's place in one statement
// (`INSERT … ON CONFLICT (user_id, submission_hash) DO UPDATE`, session.ts): the browser keeps
// the last Set-Cookie, and the session left is the last one written. Kept in Postgres, so it
// holds when the repeats reach different app nodes.

/** A fresh id for one rendering of a sign-in form (128 random bits). */
export function newSubmissionId(): string {
	return encodeBase64urlNoPadding(crypto.getRandomValues(new Uint8Array(16)));
}

/** The form's submission id, if it is one we could have made. */
export function parseSubmissionId(value: unknown): string | null {
	return typeof value === 'string' && /^[A-Za-z0-9_-]{22}$/.test(value) ? value : null;
}
