import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { updateName } from '$lib/server/auth/account-settings';
import { accountHasPassword } from '$lib/server/auth/email-change';
import { recordSecurityEvent } from '$lib/server/auth/security-log';
import { signInOrigin } from '$lib/server/auth/sign-in-origin';
import { findClientDisplayName } from '$lib/server/oidc/client-names';
import { accountNotice } from '$lib/server/auth/notices';
import { hasConfirmedTOTP } from '$lib/server/auth/totp-credentials';
import { endOtherSessionOfUser, endOtherSessionsOfUser, listActiveSessions } from '$lib/server/oidc/account-sessions';
import { listConnectedApps, revokeConnectedApp } from '$lib/server/oidc/connected-apps';
import { provider } from '$lib/server/provider';

export const load: PageServerLoad = async ({ locals, url }) => {
	const session = locals.session;
	if (!session) redirect(303, '/auth/login?return_to=/account');
	const { db } = await provider();
	const [sessions, apps, hasPassword, twoFactor] = await Promise.all([
		listActiveSessions(db, session.userId, session.id),
		listConnectedApps(db, session.userId),
		accountHasPassword(db, session.userId),
		hasConfirmedTOTP(db, session.userId)
	]);
	return {
		user: session.user,
		hasPassword,
		twoFactor,
		authTime: session.authTime.toISOString(),
		expiresAt: session.expiresAt.toISOString(),
		notice: accountNotice(url.searchParams.get('notice')),
		sessions: sessions.map((s) => ({ ...s, createdAt: s.createdAt.toISOString(), lastSeenAt: s.lastSeenAt.toISOString() })),
		apps: apps.map((a) => ({ ...a, firstUsedAt: a.firstUsedAt.toISOString(), lastUsedAt: a.lastUsedAt.toISOString() }))
	};
};

// The same words for a session that ended meanwhile and for an id that was never this user's:
// the form reveals nothing about other people's sessions.
const SESSION_GONE = 'That session is no longer active. The list below is up to date.';
const APP_GONE = 'That application no longer has access. The list below is up to date.';

export const actions: Actions = {
	/** Edit name: the rules of sign-up (nameProblem). */
	updateName: async ({ request, locals }) => {
		if (!locals.session) redirect(303, '/auth/login?return_to=/account');
		const name = (await request.formData()).get('name');
		const { db } = await provider();
		const outcome = await updateName(db, locals.session.userId, name);
		if (outcome.status === 'invalid') return fail(400, { name: typeof name === 'string' ? name.slice(0, 200) : '', nameError: outcome.error });
		redirect(303, '/account?notice=name-updated');
	},
	/** Signs out one other session of this user (back-channel logout to its applications). */
	endSession: async ({ request, locals, getClientAddress }) => {
		if (!locals.session) redirect(303, '/auth/login?return_to=/account');
		const sessionId = (await request.formData()).get('session_id');
		if (typeof sessionId !== 'string' || !sessionId) return fail(400, { sessionMessage: SESSION_GONE });
		const ctx = await provider();
		const ended = await endOtherSessionOfUser(ctx, { userId: locals.session.userId, currentSessionId: locals.session.id }, sessionId, {
			outbound: ctx.outbound
		});
		if (!ended) return fail(404, { sessionMessage: SESSION_GONE });
		await recordSecurityEvent(ctx.db, locals.session.userId, 'session-revoked', {}, signInOrigin({ request, getClientAddress }));
		redirect(303, '/account?notice=session-ended#sessions');
	},
	/** "Sign out all other sessions": this device stays signed in. */
	endOtherSessions: async ({ request, locals, getClientAddress }) => {
		if (!locals.session) redirect(303, '/auth/login?return_to=/account');
		const ctx = await provider();
		const { ended } = await endOtherSessionsOfUser(ctx, { userId: locals.session.userId, currentSessionId: locals.session.id }, { outbound: ctx.outbound });
		if (ended > 0)
			await recordSecurityEvent(ctx.db, locals.session.userId, 'other-sessions-revoked', { count: String(ended) }, signInOrigin({ request, getClientAddress }));
		redirect(303, '/account?notice=other-sessions-ended#sessions');
	},
	/** "Revoke access" for one connected application. */
	revokeApp: async ({ request, locals, getClientAddress }) => {
		if (!locals.session) redirect(303, '/auth/login?return_to=/account');
		const clientId = (await request.formData()).get('client_id');
		if (typeof clientId !== 'string' || !clientId) return fail(400, { appMessage: APP_GONE });
		const ctx = await provider();
		const clientName = await findClientDisplayName(ctx.db, clientId);
		const revoked = await revokeConnectedApp(ctx, locals.session.userId, clientId, { outbound: ctx.outbound });
		if (!revoked) return fail(404, { appMessage: APP_GONE });
		await recordSecurityEvent(
			ctx.db,
			locals.session.userId,
			'app-revoked',
			{ clientId, clientName: clientName ?? clientId },
			signInOrigin({ request, getClientAddress })
		);
		redirect(303, '/account?notice=app-revoked#apps');
	}
};
