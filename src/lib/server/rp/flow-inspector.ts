import type { Cookies } from '@sveltejs/kit';
import { config } from '../config';
import type { Database } from '../db';
import { rpInspectorCookie } from './cookies';
import { appendFlow, ENDED_LOG_TTL_MS, findFlowLog, openFlowLog, readFlows } from './flow-inspector-store';
import { FlowRecorder, type FlowKind, type FlowTrace } from './flow-trace';

/**
 * Where the demo sites' routes meet the flow inspector: a recorder when FLOW_INSPECTOR is on
 * (undefined otherwise, so nothing is recorded), and the browser's log behind its own cookie.
 */
export function flowRecorder(kind: FlowKind, title: string): FlowRecorder | undefined {
	return config().flowInspector ? new FlowRecorder(kind, title) : undefined;
}

export interface BrowserContext {
	db: Database;
	cookies: Cookies;
	site: string;
	secure: boolean;
}

function setInspectorCookie({ cookies, site, secure }: BrowserContext, token: string, expires: Date): void {
	cookies.set(rpInspectorCookie(site, secure), token, { path: '/', httpOnly: true, sameSite: 'lax', secure, expires });
}

/**
 * A sign-in's flow: recorded in the callback before the site session exists, then stored in a
 * fresh log tied to that session (or, for a failed sign-in, a log that lives minutes).
 */
export async function saveSignInFlow(
	context: BrowserContext,
	trace: FlowTrace,
	session?: { id: string; subject: string; providerSessionId?: string; expiresAt: Date },
	now = new Date()
): Promise<void> {
	const expiresAt = session?.expiresAt ?? new Date(now.getTime() + ENDED_LOG_TTL_MS);
	const { token, log } = await openFlowLog(
		context.db,
		{
			site: context.site,
			previousToken: context.cookies.get(rpInspectorCookie(context.site, context.secure)),
			sessionId: session?.id,
			subject: session?.subject,
			providerSessionId: session?.providerSessionId,
			expiresAt
		},
		now
	);
	await appendFlow(context.db, log.id, trace, now);
	setInspectorCookie(context, token, expiresAt);
}

/**
 * A later flow of the same browser (an API call, a sign-out): into its log when it has one;
 * a sign-out without one opens a short-lived log so the page can still show it.
 */
export async function saveBrowserFlow(context: BrowserContext, trace: FlowTrace, options: { openIfMissing?: boolean } = {}, now = new Date()): Promise<void> {
	const token = context.cookies.get(rpInspectorCookie(context.site, context.secure));
	const log = token ? await findFlowLog(context.db, context.site, token, now) : null;
	if (log) return appendFlow(context.db, log.id, trace, now);
	if (options.openIfMissing) await saveSignInFlow(context, trace, undefined, now);
}

/** The flows this browser may see at this site, newest first (none without a valid cookie). */
export async function browserFlows(context: Omit<BrowserContext, 'cookies'> & { token: string | undefined }, now = new Date()): Promise<FlowTrace[]> {
	if (!context.token) return [];
	const log = await findFlowLog(context.db, context.site, context.token, now);
	return log ? readFlows(context.db, log.id) : [];
}
