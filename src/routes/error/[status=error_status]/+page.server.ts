import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';

// Rendered for hooks.server.ts (styleBareErrors), which fetches it when a browser would
// otherwise get a bare text 404 or 405: throwing here makes SvelteKit render +error.svelte in
// the layout of the origin the browser is on. Outside both route groups, so every origin has it.
export const load: PageServerLoad = ({ params }) => {
	if (params.status === '405') error(405, 'Method Not Allowed');
	error(404, 'Not Found');
};
