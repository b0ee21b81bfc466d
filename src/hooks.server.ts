import { redirect, type Handle, type HandleServerError, type RequestEvent, type ResolveOptions, type ServerInit } from '@sveltejs/kit';
import type { OriginName } from '$lib/origins.js';
import { config } from '$lib/server/config';
import { describeUpstreams } from '$lib/server/config-upstreams';
import { database } from '$lib/server/db/instance';
import { isDatabaseUnavailable, reportDatabaseOutage, RETRY_AFTER_SECONDS } from '$lib/server/db/outage';
import { deleteSessionCookie, sessionCookieName, setSessionCookie } from '$lib/server/auth/cookies';
import { isForgedBrowserRequest } from '$lib/server/auth/csrf';
import { validateSessionToken } from '$lib/server/auth/session';
import { DEMO_USER } from '$lib/demo-data';
import { seedDemoData } from '$lib/server/seed';
import { applyResourceServersSetting } from '$lib/server/oidc/resource-servers';
import { cleanupPolicy, scheduleCleanup } from '$lib/server/maintenance/schedule';
import { deleteRPCookie, rpSessionCookie } from '$lib/server/rp/cookies';
import { validateRPSession } from '$lib/server/rp/session';
import { jsonNoStore } from '$lib/server/oidc/http';
import { addImageSources } from '$lib/server/content-security-policy';
import { renderErrorPage, UNAVAILABLE_MESSAGE } from '$lib/server/endpoint-pages';
import { routePolicy } from '$lib/server/route-policies';
import { describeMail, mailer } from '$lib/server/mail/instance';

export const init: ServerInit = async () => {
	const settings = config();
	const { db, driver } = await database();
	const where = driver === 'pglite' ? `embedded PGlite at ${settings.database.dataDir}` : 'Postgres (DATABASE_URL)';
	console.log(`[sso] database: ${where}, migrations applied`);
	const declared = await applyResourceServersSetting(db, settings.resourceServersJSON);
	if (declared) console.log(`[sso] resource servers from RESOURCE_SERVERS: ${declared}`);
	// Where mail goes, or which features are off without it; the development mailbox starts here.
	await mailer();
	console.log(describeMail(settings.issuer));
	// Expired codes, sessions, counters, abandoned clients...: in the background, never blocking start.
	scheduleCleanup(db, cleanupPolicy(settings), settings.cleanup.intervalSeconds);
	for (const line of describeUpstreams(settings.issuer, settings.upstreams)) console.log(line);
	if (!settings.seedDemoData) return;
	const sites = [settings.sites.site1, settings.sites.site2];
	await seedDemoData(db, sites);
	console.log(
		[
			`[sso] provider        ${settings.issuer}`,
			...sites.map((s) => `[sso] ${s.title.padEnd(15)} ${s.url.origin}  (client ${s.clientId})`),
			`[sso] demo sign-in    ${DEMO_USER.email} / ${DEMO_USER.password}`
		].join('\n')
	);
};

/** Which origin a request arrived on; by port when the host name differs (e.g. 127.0.0.1). */
function originOf(url: URL): OriginName {
	const { origins } = config();
	const names = Object.keys(origins) as OriginName[];
	return names.find((n) => origins[n].origin === url.origin) ?? names.find((n) => origins[n].port === url.port) ?? 'provider';
}

const identifyOrigin: Handle = ({ event, resolve }) => {
	const origin = originOf(event.url);
	event.locals.origin = origin;
	event.locals.session = null;
	event.locals.rpSession = null;
	event.locals.rpSignedOutEverywhere = false;
	event.locals.databaseUnavailable = false;
	// Resolved once here for the steps below; an event.fetch sub-request is a new event and resolves its own.
	const policy = routePolicy(event.url.pathname);
	event.locals.routePolicy = policy;
	// A plain form POST to a page route's action (not use:enhance, which sends x-sveltekit-action)
	// gets the HTML/redirect answer whatever its Accept header says: curl, and clients posting to
	// the end-session endpoint, send `*/*`, which SvelteKit would answer with its action JSON.
	const formPost = event.request.method === 'POST' && policy.body === 'form';
	if (formPost && !event.request.headers.has('x-sveltekit-action')) event.request.headers.set('accept', 'text/html');
	return resolve(event, { transformPageChunk: ({ html }) => html.replace('%origin%', origin) });
};

/**
 * A browser asking for a page (GET/HEAD, Accept: text/html) that gets a bare text 404 or 405
 * (the route-group guard below, or SvelteKit's answer to a method a +server route lacks) is
 * shown the styled error page of the origin it is on instead, with a way back. The status and
 * the Allow header (RFC 9110 §15.5.6) stay; JSON and OAuth error bodies are never touched, and
 * API clients (which do not ask for text/html) keep the plain answer.
 */
const styleBareErrors: Handle = async ({ event, resolve }) => {
	const response = await resolve(event);
	if (!STYLED_ERROR_STATUSES.has(response.status) || !wantsHTMLPage(event.request)) return response;
	// SvelteKit's 405 has no content type at all; anything typed other than text/plain was meant.
	const type = response.headers.get('content-type');
	if (type && !type.startsWith('text/plain')) return response;
	// src/routes/error/[status] renders +error.svelte in the origin's layout (endpoint-pages.ts).
	const allow = response.headers.get('allow');
	const method = event.request.method === 'HEAD' ? 'HEAD' : 'GET';
	return renderErrorPage(event, response.status === 405 ? 405 : 404, undefined, { method, headers: allow ? { allow } : {} });
};

const STYLED_ERROR_STATUSES = new Set([404, 405]);

/**
 * An API client asking for a path with no endpoint under /api/ gets a JSON 404 (SvelteKit
 * would render its HTML error page); browsers get the styled page as for any unknown page.
 */
const answerUnknownEndpointsWithJSON: Handle = ({ event, resolve }) => {
	if (event.route.id === null && event.url.pathname.startsWith('/api/') && !wantsHTMLPage(event.request)) {
		return jsonNoStore({ error: 'not_found', error_description: `There is no endpoint at ${event.url.pathname}` }, 404);
	}
	return resolve(event);
};

/** A browser navigation: GET or HEAD that accepts HTML (page form posts are forced to text/html above, so they do not count). */
function wantsHTMLPage(request: Request): boolean {
	return (request.method === 'GET' || request.method === 'HEAD') && (request.headers.get('accept') ?? '').includes('text/html');
}

/** Keeps each side's routes on its own origin: route ids carry the group name. */
const guardRouteGroups: Handle = ({ event, resolve }) => {
	const routeId = event.route.id ?? '';
	const onProvider = event.locals.origin === 'provider';
	if (onProvider && routeId === '/(rp)') redirect(303, '/account');
	if ((routeId.startsWith('/(provider)') && !onProvider) || (routeId.startsWith('/(rp)') && onProvider)) {
		return new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain' } });
	}
	return resolve(event);
};

const FORM_TYPES = /^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i;

const refuseForgedRequests: Handle = async ({ event, resolve }) => {
	const policy = event.locals.routePolicy;
	const formPost = event.request.method === 'POST' && policy.body === 'form';
	// Pages take only real form posts; SvelteKit would let text/plain through to the action.
	if (formPost && event.route.id !== null && !FORM_TYPES.test(event.request.headers.get('content-type') ?? '')) {
		return new Response('Send the form as application/x-www-form-urlencoded or multipart/form-data', {
			status: 415,
			headers: { 'content-type': 'text/plain' }
		});
	}
	if (!policy.crossOrigin && isForgedBrowserRequest(event.request, event.url.origin)) {
		return new Response('Cross-site request refused', { status: 403, headers: { 'content-type': 'text/plain' } });
	}
	// A multipart body the framework cannot parse made every form action throw (500). The body
	// is parsed once here on a copy; the action reads the original.
	if (formPost && /^multipart\/form-data\b/i.test(event.request.headers.get('content-type') ?? '')) {
		try {
			await event.request.clone().formData();
		} catch {
			return new Response('The multipart/form-data body is malformed', { status: 400, headers: { 'content-type': 'text/plain' } });
		}
	}
	return resolve(event);
};

/** Endpoints that browser-based (public) clients call from their own origins (route-policies.ts `cors`). */
const allowPublicCORS: Handle = async ({ event, resolve }) => {
	const { cors } = event.locals.routePolicy;
	if (event.locals.origin !== 'provider' || cors === 'none') return resolve(event);
	if (event.request.method === 'OPTIONS') {
		return new Response(null, {
			status: 204,
			headers: {
				'Access-Control-Allow-Origin': '*',
				'Access-Control-Allow-Methods': 'GET, POST',
				'Access-Control-Allow-Headers': 'Authorization, Content-Type, DPoP',
				'Access-Control-Max-Age': '600'
			}
		});
	}
	const response = await resolve(event);
	if (!response.headers.has('Access-Control-Allow-Origin') && !(cors === 'public-except-get' && event.request.method === 'GET')) {
		response.headers.set('Access-Control-Allow-Origin', '*');
	}
	return response;
};

const loadSessions: Handle = async ({ event, resolve }) => {
	// Documents that are the same for everyone (route-policies.ts): no per-user header can reach them.
	if (!event.locals.routePolicy.session) return resolve(event);
	try {
		await resolveSession(event);
	} catch (error) {
		if (!isDatabaseUnavailable(error)) throw error;
		// The session is unknown, so nothing may act on it. A page view renders the temporary
		// error page (the route groups' layouts, and runPageEndpoint, check this flag); anything
		// else is refused.
		event.locals.databaseUnavailable = true;
		if (!isPageView(event)) throw error;
	}
	return resolve(event);
};

/** A GET of a page by a browser (not a JSON endpoint, not a form post). */
function isPageView({ request, locals }: RequestEvent): boolean {
	return locals.routePolicy.pages && wantsHTMLPage(request);
}

async function resolveSession({ cookies, locals, url }: RequestEvent): Promise<void> {
	const secure = url.protocol === 'https:';
	if (locals.origin === 'provider') {
		const token = cookies.get(sessionCookieName(secure));
		if (token) {
			const { db } = await database();
			const result = await validateSessionToken(db, token);
			if (!result) deleteSessionCookie(cookies, secure);
			else {
				locals.session = result.session;
				if (result.renewed) setSessionCookie(cookies, token, result.session.expiresAt, secure);
			}
		}
	} else {
		const name = rpSessionCookie(locals.origin, secure);
		const token = cookies.get(name);
		if (token) {
			const { db } = await database();
			const lookup = await validateRPSession(db, locals.origin, token);
			locals.rpSession = lookup.session;
			locals.rpSignedOutEverywhere = lookup.endedByProvider;
			if (!lookup.session) deleteRPCookie(cookies, name, secure);
		}
	}
}

/** Errors the framework caught (loads, actions, endpoints): an outage is logged once, not per request. */
export const handleError: HandleServerError = ({ error, event, status }) => {
	if (isDatabaseUnavailable(error)) {
		reportDatabaseOutage(error);
		event.locals.databaseUnavailable = true;
		return { message: UNAVAILABLE_MESSAGE, temporary: true };
	}
	// Anything else keeps the framework's default message ("Internal Error", "Not Found").
	console.error(`[${status}] ${event.request.method} ${event.url.pathname}`, error);
};

/**
 * While the database is unreachable every answer is 503 with Retry-After (RFC 9110 §15.6.4):
 * pages keep the styled error page the framework rendered, OAuth and JSON endpoints get
 * `temporarily_unavailable` (RFC 6749 §4.1.2.1).
 */
const answerOutagesWith503: Handle = async ({ event, resolve }) => {
	let response: Response;
	try {
		response = await resolve(event);
	} catch (error) {
		if (!isDatabaseUnavailable(error)) throw error;
		reportDatabaseOutage(error);
		return unavailable(event);
	}
	if (!event.locals.databaseUnavailable || response.status !== 500) return response;
	if (!response.headers.get('content-type')?.startsWith('text/html')) return unavailable(event);
	const headers = new Headers(response.headers);
	headers.set('Retry-After', String(RETRY_AFTER_SECONDS));
	headers.set('Cache-Control', 'no-store');
	return new Response(response.body, { status: 503, headers });
};

function unavailable({ request }: RequestEvent): Response {
	const retry = { 'Retry-After': String(RETRY_AFTER_SECONDS) };
	if (request.method === 'POST' && (request.headers.get('accept') ?? '').includes('text/html')) {
		return new Response(UNAVAILABLE_MESSAGE, { status: 503, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...retry } });
	}
	return jsonNoStore({ error: 'temporarily_unavailable', error_description: UNAVAILABLE_MESSAGE }, 503, retry);
}

/**
 * Headers every page gets: no framing (a framed consent page can be clickjacked into
 * "Allow"), no MIME sniffing, and no Referer from the provider's pages to other origins
 * (their URLs carry authorization request parameters). Not `no-referrer`: browsers then
 * send `Origin: null` on form posts, which the CSRF check rightly refuses.
 */
const securityHeaders: Handle = async ({ event, resolve }) => {
	const response = await resolve(event);
	if (response.headers.get('content-type')?.startsWith('text/html')) {
		response.headers.set('X-Frame-Options', 'DENY');
		if (event.locals.origin === 'provider') response.headers.set('Referrer-Policy', 'same-origin');
		// A page showing a client's logo may load images from that one origin (content-security-policy.ts).
		const policy = response.headers.get('content-security-policy');
		if (policy && event.locals.imageOrigins?.length) response.headers.set('content-security-policy', addImageSources(policy, event.locals.imageOrigins));
	}
	response.headers.set('X-Content-Type-Options', 'nosniff');
	return response;
};

/**
 * The steps as one handle, outermost first, each passing the request on with `resolve` or
 * answering it. Not Kit's `sequence()`: that runs every step in an AsyncLocalStorage scope and
 * tracing span of its own, which with nine steps cost more CPU than the JWKS endpoint itself
 * (`npm run bench`, docs/benchmark.md). Resolve options (only identifyOrigin sets one) reach
 * the framework's resolve.
 */
function inOrder(...steps: Handle[]): Handle {
	return ({ event, resolve }) => {
		let options: ResolveOptions | undefined;
		const run = (i: number, current: RequestEvent): ReturnType<Handle> =>
			i === steps.length
				? resolve(current, options)
				: steps[i]({
						event: current,
						resolve: (next, more) => {
							if (more) options = { ...options, ...more };
							return run(i + 1, next);
						}
					});
		return run(0, event);
	};
}

export const handle = inOrder(
	identifyOrigin,
	securityHeaders,
	answerOutagesWith503,
	styleBareErrors,
	answerUnknownEndpointsWithJSON,
	guardRouteGroups,
	allowPublicCORS,
	refuseForgedRequests,
	loadSessions
);
