import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { describeSecurityEvent } from '$lib/server/auth/security-event-description';
import { formatCursor, listSecurityEvents, parseCursor } from '$lib/server/auth/security-log-listing';
import { describeUserAgent } from '$lib/server/auth/user-agent';
import { config } from '$lib/server/config';
import { upstreamById } from '$lib/server/config-upstreams';
import { database } from '$lib/server/db/instance';

const HERE = '/account/security';

// Always the signed-in user's own log: the only parameter is where the page starts (a time
// and an id), which narrows that user's lines and can never name another user's.
export const load: PageServerLoad = async ({ locals, url }) => {
	const session = locals.session;
	if (!session) redirect(303, `/auth/login?return_to=${encodeURIComponent(HERE)}`);
	const cursor = parseCursor(url.searchParams.get('before'));
	const { db } = await database();
	const page = await listSecurityEvents(db, session.userId, { before: cursor === 'invalid' ? null : cursor });
	const { upstreams, cleanup } = config();
	const context = { upstreamName: (id: string) => upstreamById(upstreams, id)?.name };
	return {
		events: page.events.map((event) => ({
			id: event.id,
			...describeSecurityEvent(event.type, event.detail, context),
			at: event.createdAt.toISOString(),
			ipAddress: event.ipAddress,
			device: event.userAgent ? describeUserAgent(event.userAgent) : null,
			// completeSignIn and completeStepUp give the session's auth_time and the log line the same instant.
			thisSession: (event.type === 'sign-in' || event.type === 'step-up') && event.createdAt.getTime() === session.authTime.getTime()
		})),
		olderHref: page.older ? `${HERE}?${new URLSearchParams({ before: formatCursor(page.older) })}` : null,
		isFirstPage: cursor === null || cursor === 'invalid',
		badCursor: cursor === 'invalid',
		retentionDays: cleanup.securityLogRetentionDays
	};
};
