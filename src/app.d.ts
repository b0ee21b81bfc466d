import type { OriginName } from '$lib/origins.js';
import type { SessionWithUser } from '$lib/server/auth/session';
import type { RPSession } from '$lib/server/rp/session';

declare global {
	namespace App {
		interface Error {
			message: string;
			/** OAuth error code, when the error page explains a rejected authorization request. */
			code?: string;
			/** Set while the database is unreachable: the page says it is temporary (503). */
			temporary?: boolean;
			/** A way back from the error page when there is a better one than the start page (e.g. to sign-in, keeping return_to). */
			back?: { href: string; label: string };
		}
		interface Locals {
			/** Which of the three origins this request came in on. */
			origin: OriginName;
			/** Provider session (provider origin only). */
			session: SessionWithUser | null;
			/** Demo-site session (site origins only). */
			rpSession: RPSession | null;
			/** Set when the database could not be reached while serving this request (answered 503). */
			databaseUnavailable: boolean;
		}
	}
}

export {};
