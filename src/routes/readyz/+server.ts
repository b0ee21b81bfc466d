import type { RequestHandler } from './$types';
import { database } from '$lib/server/db/instance';
import { RETRY_AFTER_SECONDS } from '$lib/server/db/outage';
import { databaseAnswers } from '$lib/server/db/readiness';

/**
 * Readiness for a load balancer: 200 when the database answers, else 503. While the process
 * drains after SIGTERM, the launcher (scripts/serve.js) answers 503 before this runs.
 */
export const GET: RequestHandler = async () => {
	const ready = await databaseAnswers((await database()).db);
	return new Response(JSON.stringify({ status: ready ? 'ready' : 'database unavailable' }), {
		status: ready ? 200 : 503,
		headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...(ready ? {} : { 'Retry-After': String(RETRY_AFTER_SECONDS) }) }
	});
};
