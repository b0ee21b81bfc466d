import type { OriginName } from '$lib/origins.js';
import type { SessionWithUser } from '$lib/server/auth/session';
import type { RPSession } from '$lib/server/rp/session';
import type { DeveloperExplanation } from '$lib/server/oidc/request-rules';
import type { RoutePolicy } from '$lib/server/route-policies';

declare global {
	namespace App {
		interface Error {
			message: string;
			/** OAuth error code, when the error page explains a rejected authorization request. */
			code?: string;
			/** Which kind of request was rejected (default sign-in): the page's heading names it. */
			request?: 'sign-in' | 'sign-out';
			/** Set while the database is unreachable: the page says it is temporary (503). */
			temporary?: boolean;
			/** Where "Try again" leads when the page was rendered for another address (endpoint-pages.ts). */
			retry?: string;
			/** A way back from the error page when there is a better one than the start page (e.g. to sign-in, keeping return_to). */
			back?: { href: string; label: string };
			/** With DEVELOPER_PAGES on: the rule a rejected request broke, its spec clause and the fix. */
			developer?: DeveloperExplanation;
		}
		interface Locals {
			/** Which of the three origins this request came in on. */
			origin: OriginName;
			/** How the request hooks treat this path (route-policies.ts), resolved once per request. */
			routePolicy: RoutePolicy;
			/** Provider session (provider origin only). */
			session: SessionWithUser | null;
			/** Demo-site session (site origins only). */
			rpSession: RPSession | null;
			/** The demo-site session this browser had was ended by back-channel logout (told once). */
			rpSignedOutEverywhere: boolean;
			/** Set when the database could not be reached while serving this request (answered 503). */
			databaseUnavailable: boolean;
			/** Origins this page loads images from besides its own (a client's logo): added to its CSP img-src. */
			imageOrigins?: string[];
		}
	}
}

export {};
