// REAUTHENTICATE_AFTER_SECONDS, read by config.ts. Outside auth/ on purpose: the demo sites read
// config.ts too, and must never reach the provider's modules (tests/integration/boundaries.test.ts).

/** How recent "recent" is (auth/recent-auth.ts) unless REAUTHENTICATE_AFTER_SECONDS says otherwise. */
export const DEFAULT_RECENT_AUTH_SECONDS = 10 * 60;

/** REAUTHENTICATE_AFTER_SECONDS: whole seconds from 1 to one day; config.ts calls this. */
export function loadRecentAuthSeconds(vars: Record<string, string | undefined>): number {
	const raw = vars.REAUTHENTICATE_AFTER_SECONDS;
	if (raw === undefined || raw === '') return DEFAULT_RECENT_AUTH_SECONDS;
	const seconds = Number(raw);
	if (!Number.isInteger(seconds) || seconds < 1 || seconds > 86_400) {
		throw new Error(`REAUTHENTICATE_AFTER_SECONDS must be a whole number of seconds from 1 to 86400 (got "${raw}")`);
	}
	return seconds;
}
