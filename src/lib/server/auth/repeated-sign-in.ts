import { encodeBase64urlNoPadding } from '@oslojs/encoding';

/**
 * A sign-in form sent twice (a double click without JavaScript: the browser sends both POSTs
 * and keeps the answer to the last) must leave one session, not two. Each rendering of the
 * form carries a random submission id; sign-ins with the same id run one after another in the
 * order they arrived, and each later one ends the session the earlier one made for the same
 * user (completeSignIn's `replacing`). The browser keeps the last Set-Cookie, so the one
 * session left is the one it holds.
 *
 * Kept in this process only, for a minute: the repeats of one click reach the same instance
 * in practice, and a repeat that does not merely leaves a second session the user can end on
 * the account page, as before. No secret is kept: only the earlier session's id.
 */
export class RepeatedSignIns {
	readonly #recent = new Map<string, { done: Promise<EarlierSignIn | null>; at: number }>();

	constructor(
		readonly windowMs = 60_000,
		readonly maxEntries = 10_000
	) {}

	/**
	 * Runs `signIn` after any earlier sign-in with the same submission id, passing the session
	 * that one made; `signIn` answers with its result and the session it made (null if none).
	 * Without a valid id (an old page, a script) it runs at once, with nothing earlier.
	 */
	async run<T>(submission: string | null, signIn: (earlier: EarlierSignIn | null) => Promise<{ result: T; made: EarlierSignIn | null }>, now = Date.now()): Promise<T> {
		if (submission === null) return (await signIn(null)).result;
		this.#forgetOld(now);
		const before = this.#recent.get(submission);
		// Set before anything is awaited: a repeat arriving meanwhile queues behind this one.
		const attempt = (async () => {
			const earlier = before ? await before.done : null;
			return { earlier, outcome: await signIn(earlier) };
		})();
		const done = attempt.then(({ earlier, outcome }) => outcome.made ?? earlier).catch(() => null);
		this.#recent.delete(submission);
		this.#recent.set(submission, { done, at: now });
		return (await attempt).outcome.result;
	}

	#forgetOld(now: number): void {
		for (const [key, entry] of this.#recent) {
			if (now - entry.at < this.windowMs && this.#recent.size < this.maxEntries) break;
			this.#recent.delete(key);
		}
	}
}

/** The session an earlier submission of the same form made. */
export interface EarlierSignIn {
	userId: string;
	sessionId: string;
}

/** A fresh id for one rendering of a sign-in form (128 random bits). */
export function newSubmissionId(): string {
	return encodeBase64urlNoPadding(crypto.getRandomValues(new Uint8Array(16)));
}

/** The form's submission id, if it is one we could have made. */
export function parseSubmissionId(value: unknown): string | null {
	return typeof value === 'string' && /^[A-Za-z0-9_-]{22}$/.test(value) ? value : null;
}

/** The provider's one record of recent sign-in submissions. */
export const repeatedSignIns = new RepeatedSignIns();
