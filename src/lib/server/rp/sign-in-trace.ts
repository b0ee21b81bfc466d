import type { ProviderMetadata } from './discovery';
import { authorizationURL, AUTHORIZATION_REQUEST_NOTES, CALLBACK_NOTES, type PendingSignIn, type RelyingParty } from './flow';
import type { FlowRecorder } from './flow-trace';

/**
 * The front-channel half of a sign-in as the callback can reconstruct it: the authorization
 * request is rebuilt from the flow cookie (it depends on nothing else), the provider's own
 * pages are marked as unseen by the site, and the redirect back is what the callback received.
 */
export function recordFrontChannel(
	recorder: FlowRecorder | undefined,
	rp: RelyingParty,
	provider: ProviderMetadata,
	pending: PendingSignIn | null,
	callbackURL: URL
): void {
	if (!recorder) return;
	if (pending) {
		const request = authorizationURL(rp, provider, pending);
		recorder.step({ from: 'browser', to: 'site', label: 'POST /auth/sign-in', fields: [], note: '"Sign in with SSO" was pressed.' });
		recorder.step({
			from: 'site',
			to: 'browser',
			label: '303 to the authorization endpoint',
			fields: [
				{
					name: 'Set-Cookie',
					value: "flow cookie (this sign-in's state, nonce, code_verifier beside any other tab's; HMAC-sealed, HttpOnly, SameSite=Lax, 10 minutes)",
					note: 'What the site needs back in the callback, kept in this browser only and found by state.'
				}
			],
			note: 'The site sends the browser to the provider with the authorization request below.'
		});
		recorder.request('browser', 'provider', 'GET', request, {
			notes: AUTHORIZATION_REQUEST_NOTES,
			note: 'The authorization request (OIDC Core §3.1.2.1). The provider then signs the user in and asks for consent if needed: the site sees none of that.',
			seenBySite: false
		});
		recorder.step({
			from: 'provider',
			to: 'browser',
			label: '302 back to the redirect_uri',
			fields: [],
			note: 'The authorization response travels in the redirect (RFC 6749 §4.1.2).',
			seenBySite: false
		});
	}
	recorder.request('browser', 'site', 'GET', callbackURL, {
		notes: CALLBACK_NOTES,
		note: pending
			? 'The callback: the site checks state and iss before using the code.'
			: 'The callback arrived without the flow cookie: this browser did not start the sign-in, or it expired.'
	});
}
