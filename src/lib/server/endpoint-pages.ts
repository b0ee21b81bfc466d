import type { RequestEvent } from '@sveltejs/kit';
import { DatabaseUnavailable, isDatabaseUnavailable, reportDatabaseOutage, RETRY_AFTER_SECONDS } from './db/outage';

/**
 * Styled pages for answers that are not page routes: an endpoint (the authorization endpoint's
 * rejected requests) or a hook (a bare 404/405) asks a page route to render, through an
 * internal `event.fetch`, and serves the HTML under its own address and status. The content
 * travels in a header that the page route reads only on SvelteKit's own sub-requests, so a
 * visitor can never make the provider's page show text of their choosing.
 */

const CONTENT_HEADER = 'x-endpoint-page';

type Renderer = Pick<RequestEvent, 'fetch'>;

export interface RenderOptions {
	/** HEAD asks the page route for headers only, as the original request did. */
	method?: 'GET' | 'HEAD';
	/** Headers the answer keeps besides the page's own (e.g. Allow, Retry-After). */
	headers?: Record<string, string>;
}

/** Renders the page route at `path` with `content` (see `handedContent`) as a `status` answer. */
export async function renderPage(
	event: Renderer,
	path: string,
	status: number,
	content?: unknown,
	{ method = 'GET', headers = {} }: RenderOptions = {}
): Promise<Response> {
	const request = new Headers({ accept: 'text/html' });
	// A header value must be ASCII: the JSON is percent-encoded.
	if (content !== undefined) request.set(CONTENT_HEADER, encodeURIComponent(JSON.stringify(content)));
	const page = await event.fetch(path, { method, headers: request });
	// Only what describes this HTML: the page route's cookies and caching are not this answer's.
	const answer = new Headers({ 'content-type': page.headers.get('content-type') ?? 'text/html', 'cache-control': 'no-store', ...headers });
	const policy = page.headers.get('content-security-policy');
	// The policy's nonce is the one in this HTML's scripts.
	if (policy) answer.set('content-security-policy', policy);
	return new Response(page.body, { status, headers: answer });
}

/**
 * What `renderPage` handed this page route, or null for any request that is not SvelteKit's
 * own sub-request (a visitor sending the header is ignored).
 */
export function handedContent<T>({ isSubRequest, request }: Pick<RequestEvent, 'isSubRequest' | 'request'>): T | null {
	const raw = isSubRequest ? request.headers.get(CONTENT_HEADER) : null;
	// Only renderPage sets the header on a sub-request, with a value of this page's type.
	return raw === null ? null : (JSON.parse(decodeURIComponent(raw)) as T);
}

/** The provider's error page (+error.svelte in the origin's layout), rendered through src/routes/error/[status]. */
export function renderErrorPage(event: Renderer, status: 400 | 404 | 405 | 503, error?: App.Error, options?: RenderOptions): Promise<Response> {
	return renderPage(event, `/error/${status}`, status, error, options);
}

export const UNAVAILABLE_MESSAGE = 'The service is temporarily unavailable. Nothing was changed; please try again in a few seconds.';

/**
 * Runs an endpoint that answers browsers with pages. While the database is unreachable (or the
 * session could not be looked up, hooks.server.ts) it answers as page routes do: the styled
 * temporary-error page, 503 with Retry-After (RFC 9110 §15.6.4), and one log line per outage.
 */
export async function runPageEndpoint(event: Renderer & Pick<RequestEvent, 'locals' | 'url'>, body: () => Promise<Response>): Promise<Response> {
	try {
		if (event.locals.databaseUnavailable) throw new DatabaseUnavailable();
		return await body();
	} catch (error) {
		if (!isDatabaseUnavailable(error)) throw error;
		reportDatabaseOutage(error);
		const retry = event.url.pathname + event.url.search;
		return renderErrorPage(event, 503, { message: UNAVAILABLE_MESSAGE, temporary: true, retry }, { headers: { 'retry-after': String(RETRY_AFTER_SECONDS) } });
	}
}
