import type { LayoutServerLoad } from './$types';
import { DatabaseUnavailable } from '$lib/server/db/outage';

/**
 * The session could not be looked up (hooks.server.ts): rather than show the page as if
 * nobody were signed in, show the temporary-error page (503). Here, not in the root layout,
 * because an error in the root layout cannot render the styled error page.
 */
export const load: LayoutServerLoad = ({ locals }) => {
	if (locals.databaseUnavailable) throw new DatabaseUnavailable();
};
