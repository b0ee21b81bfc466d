import { error, fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad, RequestEvent } from './$types';
import { rateLimitedMessage, signInWithPassword } from '$lib/server/auth/password-sign-in';
import { signInOrAskSecondFactor } from '$lib/server/auth/second-factor-sign-in';
import { signInOrigin } from '$lib/server/auth/sign-in-origin';
import { recordFailedSignIn } from '$lib/server/auth/failed-sign-in-log';
import { recordSecurityEvent } from '$lib/server/auth/security-log';
import { findPendingLink, issueMailedLink, linkAfterPassword } from '$lib/server/auth/upstream-accounts';
import { deleteLinkCookie, readLinkCookie } from '$lib/server/auth/upstream-cookies';
import { SERVICE_NAME } from '$lib/server/auth/user';
import { config } from '$lib/server/config';
import { upstreamById } from '$lib/server/config-upstreams';
import { database } from '$lib/server/db/instance';
import { mailer } from '$lib/server/mail/instance';
import { sendInBackground } from '$lib/server/mail/mailer';
import { composeMail } from '$lib/server/mail/message';

const EXPIRED = 'This request to link an account has expired or was already completed. Start again from the sign-in page.';

/** The pending link this browser holds, or the error page with a way back. */
async function pendingLink({ cookies, url }: Pick<RequestEvent, 'cookies' | 'url'>) {
	const secure = url.protocol === 'https:';
	const stored = readLinkCookie(cookies, secure);
	const { db } = await database();
	const pending = stored ? await findPendingLink(db, stored.token) : null;
	if (!stored || !pending) error(400, { message: EXPIRED, back: { href: '/auth/login', label: 'Back to sign-in' } });
	const upstreamName = upstreamById(config().upstreams, pending.provider)?.name ?? pending.provider;
	return { db, stored, pending, upstreamName, secure };
}

export const load: PageServerLoad = async (event) => {
	const { pending, upstreamName } = await pendingLink(event);
	return {
		email: pending.email,
		upstreamName,
		nameAtUpstream: pending.nameAtUpstream,
		hasPassword: pending.hasPassword,
		canMail: (await mailer()) !== null,
		mailed: event.url.searchParams.get('mailed') === '1'
	};
};

export const actions: Actions = {
	/** Proof (i): the account's password, through the sign-in limits. */
	password: async (event) => {
		const { db, stored, pending, secure } = await pendingLink(event);
		const password = String((await event.request.formData()).get('password') ?? '');
		if (!password) return fail(400, { passwordError: 'Enter the password of your account.', message: null });
		const checked = await signInWithPassword(db, { email: pending.email, password, clientAddress: event.getClientAddress() }, config().limits.signIn);
		if ('failure' in checked) {
			await recordFailedSignIn(db, pending.email, checked.failure, signInOrigin(event));
			if (checked.failure === 'rate-limited') return fail(429, { passwordError: null, message: rateLimitedMessage(checked.retryAfterSeconds) });
			return fail(400, { passwordError: 'That is not the password of this account.', message: null });
		}
		const linked = await linkAfterPassword(db, stored.token, checked.user.id);
		if (!linked.linked) error(400, { message: EXPIRED, back: { href: '/auth/login', label: 'Back to sign-in' } });
		deleteLinkCookie(event.cookies, secure);
		await recordSecurityEvent(db, linked.userId, 'upstream-linked', { provider: pending.provider }, signInOrigin(event));
		const signIn = { userId: linked.userId, amr: linked.amr, method: pending.provider, origin: signInOrigin(event), replacing: event.locals.session?.id };
		redirect(303, await signInOrAskSecondFactor(db, event.cookies, secure, signIn, stored.returnTo, config().twoFactorPendingSeconds));
	},
	/** Proof (ii): a link mailed to the account's address, to be opened in this browser. */
	email: async (event) => {
		const { db, pending, upstreamName } = await pendingLink(event);
		const mail = await mailer();
		if (!mail) return fail(400, { passwordError: null, message: 'This provider cannot send mail. Use your password instead.' });
		const token = await issueMailedLink(db, pending);
		const link = `${config().issuer}/auth/upstream/link/confirm?token=${encodeURIComponent(token)}`;
		const message = composeMail(SERVICE_NAME, {
			to: pending.email,
			subject: `Link your ${upstreamName} account`,
			heading: `Link your ${upstreamName} account`,
			paragraphs: [
				`Someone signing in with ${upstreamName} asked to link that ${upstreamName} account to your account ${pending.email}.`,
				'If it was you, open this link in the same browser within 15 minutes and confirm. After that you can sign in with either.'
			],
			action: { label: `Link ${upstreamName} account`, url: link },
			footer:
				`you (or someone) tried to sign in with ${upstreamName} using ${pending.email}. ` +
				`If it was not you, ignore this mail: nothing is linked unless the link is confirmed.`
		});
		sendInBackground(mail, message, 'link-upstream');
		redirect(303, '/auth/upstream/link?mailed=1');
	}
};
