import type { RequestHandler } from './$types';

/** Liveness for a load balancer or orchestrator: the process answers. Touches nothing else. */
export const GET: RequestHandler = () => new Response('{"status":"ok"}', { headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' } });
