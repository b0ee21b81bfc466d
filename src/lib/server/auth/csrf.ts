/**
 * Our replacement for SvelteKit's origin check (disabled in svelte.config.js because it also
 * blocks server-to-server OAuth calls). It applies to state-changing browser requests:
 * a POST that a browser marks as coming from another origin is refused. Requests without
 * `Origin` and `Sec-Fetch-Site` come from non-browser clients, which carry no ambient
 * cookies of the user and so cannot be forged on their behalf.
 */
export function isForgedBrowserRequest(request: Request, ownOrigin: string): boolean {
	if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS') return false;
	const fetchSite = request.headers.get('sec-fetch-site');
	if (fetchSite && fetchSite !== 'same-origin' && fetchSite !== 'none') return true;
	const origin = request.headers.get('origin');
	return origin !== null && origin !== ownOrigin;
}
