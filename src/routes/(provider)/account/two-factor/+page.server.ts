import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad, RequestEvent } from './$types';
import { isRecentAuthentication, reauthenticationPath } from '$lib/server/auth/recent-auth';
import { countUnusedRecoveryCodes, RECOVERY_CODE_COUNT, replaceRecoveryCodes } from '$lib/server/auth/recovery-codes';
import { recordSecurityEvent } from '$lib/server/auth/security-log';
import { signInOrigin } from '$lib/server/auth/sign-in-origin';
import { cancelTOTPEnrolment, confirmTOTPEnrolment, disableTOTP, enrollingTOTPKey, findTOTPStatus, pendingTOTPKey } from '$lib/server/auth/totp-credentials';
import { totpSetupView } from '$lib/server/auth/totp-setup';
import { SERVICE_NAME } from '$lib/server/auth/user';
import { config } from '$lib/server/config';
import { provider } from '$lib/server/provider';

const HERE = '/account/two-factor';

/**
 * The signed-in user, with a recent sign-in: everything here changes how the account is
 * protected, so a session left open somewhere must not do it (recent-auth.ts).
 */
function recentlySignedIn({ locals }: Pick<RequestEvent, 'locals'>) {
	const session = locals.session;
	if (!session) redirect(303, `/auth/login?return_to=${encodeURIComponent(HERE)}`);
	if (!isRecentAuthentication(session.authTime, config().recentAuthSeconds)) redirect(303, reauthenticationPath(HERE));
	return session;
}

export const load: PageServerLoad = async (event) => {
	const session = recentlySignedIn(event);
	const { db, totpEncryptionKey } = await provider();
	const status = await findTOTPStatus(db, session.userId);
	if (status.confirmedAt) {
		return {
			state: 'on' as const,
			since: status.confirmedAt.toISOString(),
			recoveryCodesLeft: await countUnusedRecoveryCodes(db, session.userId),
			recoveryCodeCount: RECOVERY_CODE_COUNT
		};
	}
	const key = status.enrolling ? await pendingTOTPKey(db, session.userId, totpEncryptionKey) : null;
	if (key) return { state: 'enrolling' as const, setup: totpSetupView(key, SERVICE_NAME, session.user.email) };
	return { state: 'off' as const };
};

export const actions: Actions = {
	/** Makes the key to scan (kept until confirmed or cancelled). */
	start: async (event) => {
		const session = recentlySignedIn(event);
		const { db, totpEncryptionKey } = await provider();
		await enrollingTOTPKey(db, session.userId, totpEncryptionKey);
		redirect(303, HERE);
	},
	/** The first code from the app: two-step verification is on, and the recovery codes are shown once. */
	confirm: async (event) => {
		const session = recentlySignedIn(event);
		const code = String((await event.request.formData()).get('code') ?? '').trim();
		if (!code) return fail(400, { codeError: 'Enter the 6-digit code your authenticator app shows.' });
		const { db, totpEncryptionKey } = await provider();
		if (!(await confirmTOTPEnrolment(db, session.userId, code, totpEncryptionKey))) {
			const status = await findTOTPStatus(db, session.userId);
			if (!status.enrolling) redirect(303, HERE);
			return fail(400, { codeError: 'That code is not right. Check that the app shows a code for this account, wait for the next code and try again.' });
		}
		const origin = signInOrigin(event);
		const recoveryCodes = await replaceRecoveryCodes(db, session.userId);
		await recordSecurityEvent(db, session.userId, 'totp-enabled', {}, origin);
		await recordSecurityEvent(db, session.userId, 'recovery-codes-generated', {}, origin);
		return { recoveryCodes, enabled: true };
	},
	cancel: async (event) => {
		const session = recentlySignedIn(event);
		const { db } = await provider();
		await cancelTOTPEnrolment(db, session.userId);
		redirect(303, HERE);
	},
	/** Ten new codes; the old ones stop working. */
	regenerate: async (event) => {
		const session = recentlySignedIn(event);
		const { db } = await provider();
		if (!(await findTOTPStatus(db, session.userId)).confirmedAt) redirect(303, HERE);
		const recoveryCodes = await replaceRecoveryCodes(db, session.userId);
		await recordSecurityEvent(db, session.userId, 'recovery-codes-generated', {}, signInOrigin(event));
		return { recoveryCodes, enabled: false };
	},
	disable: async (event) => {
		const session = recentlySignedIn(event);
		const { db } = await provider();
		if (await disableTOTP(db, session.userId)) await recordSecurityEvent(db, session.userId, 'totp-disabled', {}, signInOrigin(event));
		redirect(303, '/account?notice=two-factor-off');
	}
};
