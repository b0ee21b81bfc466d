import { error, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { recordSecurityEvent } from '$lib/server/auth/security-log';
import { signInOrigin } from '$lib/server/auth/sign-in-origin';
import { safeReturnTo } from '$lib/server/auth/return-to';
import { authorizationResponseURL, validateAuthorizationRequest } from '$lib/server/oidc/authorize';
import { presentClient } from '$lib/server/oidc/client-names';
import { saveConsent, SCOPE_DESCRIPTIONS } from '$lib/server/oidc/consent';
import { AccessDenied } from '$lib/server/oidc/errors';
import { provider } from '$lib/server/provider';
import { allowImagesFrom } from '$lib/server/content-security-policy';
import { showRejectedRequest } from '$lib/server/rejected-request';

/** The authorization request the consent is for, re-validated from its continuation URL. */
async function pendingRequest(returnTo: unknown) {
	const path = safeReturnTo(returnTo);
	if (!path?.startsWith('/api/auth/authorize?')) error(400, { message: 'There is no sign-in request to approve.' });
	const { db, issuer } = await provider();
	const validated = await validateAuthorizationRequest(db, new URL(path, issuer).searchParams);
	if ('rejected' in validated) showRejectedRequest(validated.rejected.error);
	return { path, request: validated.request, db, issuer };
}

export const load: PageServerLoad = async ({ locals, url }) => {
	const { path, request, issuer } = await pendingRequest(url.searchParams.get('return_to'));
	if (!locals.session) redirect(303, `/auth/login?${new URLSearchParams({ return_to: path })}`);
	const { client } = request;
	const presented = presentClient(client, issuer);
	allowImagesFrom(locals, presented.logoURI);
	return {
		returnTo: path,
		client: { ...presented, clientURI: client.clientURI, policyURI: client.policyURI, tosURI: client.tosURI, redirectHost: new URL(request.redirectURI).host },
		scopes: request.scope.split(' ').map((scope) => ({ scope, description: SCOPE_DESCRIPTIONS[scope] ?? scope })),
		signedInAs: { name: locals.session.user.name, email: locals.session.user.email },
		// "Not you?": sign in afresh (prompt=login) and come back to the same request.
		switchAccountHref: `/auth/login?${new URLSearchParams({ prompt: 'login', return_to: path })}`
	};
};

export const actions: Actions = {
	default: async ({ request: httpRequest, locals, getClientAddress }) => {
		const form = await httpRequest.formData();
		const { path, request, db, issuer } = await pendingRequest(form.get('return_to'));
		if (!locals.session) redirect(303, `/auth/login?${new URLSearchParams({ return_to: path })}`);
		if (form.get('decision') !== 'allow') {
			redirect(303, authorizationResponseURL(request.redirectURI, issuer, { error: new AccessDenied() }, request.state));
		}
		await saveConsent(db, locals.session.userId, request.client.id, request.scope);
		await recordSecurityEvent(
			db,
			locals.session.userId,
			'app-granted',
			{ clientId: request.client.id, clientName: presentClient(request.client, issuer).name, scope: request.scope },
			signInOrigin({ request: httpRequest, getClientAddress })
		);
		redirect(303, path);
	}
};
