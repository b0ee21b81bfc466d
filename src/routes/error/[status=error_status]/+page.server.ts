import { error } from '@sveltejs/kit';
import { handedContent } from '$lib/server/endpoint-pages';
import type { PageServerLoad } from './$types';

// Rendered for src/lib/server/endpoint-pages.ts: throwing here makes SvelteKit render
// +error.svelte in the layout of the origin the browser is on. Outside both route groups, so
// every origin has it. A 400 or 503 shows only what the provider's own code handed it; anyone
// else asking for those gets the 404.
export const load: PageServerLoad = (event) => {
	const status = Number(event.params.status);
	if (status === 405) error(405, 'Method Not Allowed');
	const handed = handedContent<App.Error>(event);
	if (handed && (status === 400 || status === 503)) error(status, handed);
	error(404, 'Not Found');
};
