import type { OriginName } from '$lib/origins.js';
import type { SessionWithUser } from '$lib/server/auth/session';
import type { RPSession } from '$lib/server/rp/session';

declare global {
	namespace App {
		interface Error {
			message: string;
			/** OAuth error code, when the error page explains a rejected authorization request. */
			code?: string;
		}
		interface Locals {
			/** Which of the three origins this request came in on. */
			origin: OriginName;
			/** Provider session (provider origin only). */
			session: SessionWithUser | null;
			/** Demo-site session (site origins only). */
			rpSession: RPSession | null;
		}
	}
}

export {};
