import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { addPasskey, listPasskeys, PASSKEY_NAME_MAX_LENGTH, removePasskey, renamePasskey } from '$lib/server/auth/account-passkeys';
import { passkeyNotice } from '$lib/server/auth/notices';
import { registrationFailureMessage } from '$lib/server/auth/passkey-messages';
import { decodeBase64url, relyingPartyFor } from '$lib/server/auth/passkeys';
import { isRecentAuthentication, reauthenticationPath } from '$lib/server/auth/recent-auth';
import { signInOrigin } from '$lib/server/auth/sign-in-origin';
import { describeUserAgent } from '$lib/server/auth/user-agent';
import { config } from '$lib/server/config';
import { provider } from '$lib/server/provider';

const HERE = '/account/passkeys';
const SIGN_IN = `/auth/login?return_to=${encodeURIComponent(HERE)}`;
// The same words for a passkey removed meanwhile and an id that was never this user's.
const PASSKEY_GONE = 'That passkey is no longer on your account. The list below is up to date.';

export const load: PageServerLoad = async ({ locals, url, request }) => {
	const session = locals.session;
	if (!session) redirect(303, SIGN_IN);
	const { db } = await provider();
	const list = await listPasskeys(db, session.userId);
	return {
		passkeys: list.map((p) => ({ ...p, createdAt: p.createdAt.toISOString(), lastUsedAt: p.lastUsedAt?.toISOString() ?? null })),
		// Adding and removing need a recent sign-in; renaming and looking do not.
		recentlySignedIn: isRecentAuthentication(session.authTime, config().recentAuthSeconds),
		reauthenticateHref: reauthenticationPath(HERE, 'reauthenticate-passkeys'),
		suggestedName: describeUserAgent(request.headers.get('user-agent')),
		nameMaxLength: PASSKEY_NAME_MAX_LENGTH,
		notice: passkeyNotice(url.searchParams.get('notice'))
	};
};

export const actions: Actions = {
	/** The registration the page's script got from the authenticator (WebAuthn §7.1 is checked in addPasskey). */
	add: async ({ request, locals, getClientAddress }) => {
		const session = locals.session;
		if (!session) redirect(303, SIGN_IN);
		if (!isRecentAuthentication(session.authTime, config().recentAuthSeconds)) redirect(303, reauthenticationPath(HERE, 'reauthenticate-passkeys'));
		const form = await request.formData();
		const name = String(form.get('name') ?? '').slice(0, 200);
		const clientDataJSON = decodeBase64url(form.get('client_data_json'));
		const attestationObject = decodeBase64url(form.get('attestation_object'));
		if (!clientDataJSON || !attestationObject) {
			return fail(400, {
				add: {
					name,
					nameError: null,
					message: 'Adding a passkey needs JavaScript: your browser asks your device to make the key. Turn JavaScript on and try again.'
				}
			});
		}
		const { db, issuer } = await provider();
		const rp = relyingPartyFor(issuer);
		const outcome = await addPasskey(db, rp, {
			userId: session.userId,
			name,
			response: { clientDataJSON, attestationObject },
			origin: signInOrigin({ request, getClientAddress })
		});
		if (outcome.status === 'invalid-name') return fail(400, { add: { name, nameError: outcome.error, message: null } });
		if (outcome.status === 'refused') return fail(400, { add: { name, nameError: null, message: registrationFailureMessage(outcome.failure, rp) } });
		redirect(303, `${HERE}?notice=passkey-added`);
	},
	rename: async ({ request, locals }) => {
		const session = locals.session;
		if (!session) redirect(303, SIGN_IN);
		const form = await request.formData();
		const passkeyId = form.get('passkey_id');
		const name = String(form.get('name') ?? '').slice(0, 200);
		const { db } = await provider();
		const outcome = await renamePasskey(db, session.userId, passkeyId, name);
		if (outcome.status === 'invalid-name') return fail(400, { rename: { passkeyId: String(passkeyId), name, error: outcome.error } });
		if (outcome.status === 'gone') return fail(404, { listMessage: PASSKEY_GONE });
		redirect(303, `${HERE}?notice=passkey-renamed`);
	},
	remove: async ({ request, locals, getClientAddress }) => {
		const session = locals.session;
		if (!session) redirect(303, SIGN_IN);
		// A stolen session must not remove the owner's way back in (or hide a passkey it added).
		if (!isRecentAuthentication(session.authTime, config().recentAuthSeconds)) redirect(303, reauthenticationPath(HERE, 'reauthenticate-passkeys'));
		const passkeyId = (await request.formData()).get('passkey_id');
		const { db } = await provider();
		const removed = await removePasskey(db, session.userId, passkeyId, signInOrigin({ request, getClientAddress }));
		if (!removed) return fail(404, { listMessage: PASSKEY_GONE });
		redirect(303, `${HERE}?notice=passkey-removed`);
	}
};
