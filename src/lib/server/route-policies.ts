import { ENDPOINTS } from './oidc/discovery';

/**
 * How the request hooks (hooks.server.ts) treat one path, declared once per route here instead
 * of as path lists spread through the hooks. A path not declared is a page route (or, under
 * /api/, a same-origin JSON API).
 */
export interface RoutePolicy {
	/**
	 * Called from other origins by design (servers, or other sites' pages posting a form), so
	 * the Origin / Sec-Fetch-Site check (auth/csrf.ts) does not apply: the route authenticates
	 * its caller instead.
	 */
	crossOrigin: boolean;
	/**
	 * `public`: any origin's scripts may read the answers, without credentials (browser-based
	 * clients; the route never relies on cookies). `public-except-get`: the same except for GET,
	 * which the route answers with its own headers. `none`: same-origin only.
	 */
	cors: 'public' | 'public-except-get' | 'none';
	/**
	 * `form`: a page route with form actions; a POST must carry a form body
	 * (application/x-www-form-urlencoded or multipart/form-data) that parses, or it is refused
	 * before the action runs. `any`: the route reads and checks the body itself.
	 */
	body: 'form' | 'any';
	/**
	 * Browsers are sent here and shown pages (not only page routes: the authorization endpoint
	 * renders pages too). A browser GET still gets an answer, the temporary-error page, while
	 * the session cannot be looked up.
	 */
	pages: boolean;
	/** Whether the visitor's session is looked up; documents that are the same for everyone skip it. */
	session: boolean;
}

const PAGE: RoutePolicy = { crossOrigin: false, cors: 'none', body: 'form', pages: true, session: true };
const API: RoutePolicy = { crossOrigin: false, cors: 'none', body: 'any', pages: false, session: true };
// No session work at all, so these answers never carry a per-user header (a renewed or deleted
// session cookie) that a shared cache could hand to the next visitor.
const PUBLIC_DOCUMENT: RoutePolicy = { ...API, cors: 'public', session: false };

const DECLARED: Record<string, RoutePolicy> = {
	'/.well-known/openid-configuration': PUBLIC_DOCUMENT,
	[ENDPOINTS.jwks]: PUBLIC_DOCUMENT,
	// A page for the browser, reached from the client's site by link or form POST (OIDC Core §3.1.2.1).
	[ENDPOINTS.authorization]: { ...API, crossOrigin: true, pages: true },
	// GET is the first-party session JWT, with credentialed CORS for trusted origins only (oidc/first-party.ts).
	[ENDPOINTS.token]: { ...API, crossOrigin: true, cors: 'public-except-get' },
	[ENDPOINTS.userinfo]: { ...API, crossOrigin: true, cors: 'public' },
	[ENDPOINTS.introspection]: { ...API, crossOrigin: true },
	[ENDPOINTS.revocation]: { ...API, crossOrigin: true, cors: 'public' },
	[ENDPOINTS.registration]: { ...API, crossOrigin: true },
	// RP-Initiated Logout 1.0 §2: a page route (it asks before signing out) the client's site links or posts to.
	[ENDPOINTS.endSession]: { ...PAGE, crossOrigin: true },
	// The demo sites' back-channel logout receiver: the provider's server posts a logout token.
	'/auth/backchannel-logout': { ...API, crossOrigin: true },
	// Load balancer probes.
	'/healthz': { ...API, session: false },
	'/readyz': { ...API, session: false }
};

/** The policy for a request path. */
export function routePolicy(pathname: string): RoutePolicy {
	return DECLARED[pathname] ?? (pathname.startsWith('/api/') ? API : PAGE);
}
