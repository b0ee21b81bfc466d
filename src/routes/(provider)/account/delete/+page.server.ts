import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { deleteSessionCookie } from '$lib/server/auth/cookies';
import { isRecentAuthentication, reauthenticationPath } from '$lib/server/auth/recent-auth';
import { config } from '$lib/server/config';
import { listConnectedApps } from '$lib/server/oidc/connected-apps';
import { deleteAccount } from '$lib/server/oidc/account-settings';
import { provider } from '$lib/server/provider';

const HERE = '/account/delete';

export const load: PageServerLoad = async ({ locals }) => {
	const session = locals.session;
	if (!session) redirect(303, `/auth/login?return_to=${encodeURIComponent(HERE)}`);
	if (!isRecentAuthentication(session.authTime, config().recentAuthSeconds)) redirect(303, reauthenticationPath(HERE));
	const { db } = await provider();
	const apps = await listConnectedApps(db, session.userId);
	return { email: session.user.email, apps: apps.map((a) => a.name) };
};

export const actions: Actions = {
	default: async ({ locals, cookies, url }) => {
		const session = locals.session;
		if (!session) redirect(303, `/auth/login?return_to=${encodeURIComponent(HERE)}`);
		// Checked again on the POST itself: the page may have been open for longer than the window.
		if (!isRecentAuthentication(session.authTime, config().recentAuthSeconds)) redirect(303, reauthenticationPath(HERE));
		const ctx = await provider();
		await deleteAccount(ctx, session.userId, { outbound: ctx.outbound });
		deleteSessionCookie(cookies, url.protocol === 'https:');
		redirect(303, '/account/deleted');
	}
};
