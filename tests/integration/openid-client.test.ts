// The provider as a certified relying-party library sees it: openid-client v6 (panva), over
// real HTTP against the production build. Every check the library makes (discovery issuer,
// RFC 9207 iss, state, nonce, PKCE, ID token signature/claims, at_hash) runs here for free.
import * as client from 'openid-client';
import { beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD, get, postForm, servers, signIn, WIKI } from '../support/http';

const { provider, site1, site2 } = servers();
const CALLBACK = `${site1}/auth/callback`;
// The suite runs over http on localhost; openid-client refuses that unless told.
const INSECURE = { execute: [client.allowInsecureRequests] };
const BROWSER = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

// internal-dashboard is registered for client_secret_post (the guide's curl commands).
function dashboard(auth: client.ClientAuth = client.ClientSecretPost(DASHBOARD.secret)) {
	return client.discovery(new URL(provider), DASHBOARD.id, undefined, auth, INSECURE);
}

interface Started {
	url: URL;
	state: string;
	nonce: string;
	verifier: string;
}

async function startSignIn(config: client.Configuration, redirectURI = CALLBACK, extra: Record<string, string> = {}): Promise<Started> {
	const verifier = client.randomPKCECodeVerifier();
	const state = client.randomState();
	const nonce = client.randomNonce();
	const url = client.buildAuthorizationUrl(config, {
		redirect_uri: redirectURI,
		scope: 'openid profile email',
		code_challenge: await client.calculatePKCECodeChallenge(verifier),
		code_challenge_method: 'S256',
		state,
		nonce,
		...extra
	});
	return { url, state, nonce, verifier };
}

/** The browser's part: the authorization URL with the provider cookie, to the redirect back. */
async function browse(url: URL | string, cookie?: string): Promise<{ status: number; location: URL }> {
	const response = await get(String(url), { ...(cookie ? { cookie } : {}), ...BROWSER });
	const location = response.headers.get('location');
	if (!location) throw new Error(`no redirect from ${url}: ${response.status} ${(await response.text()).slice(0, 300)}`);
	return { status: response.status, location: new URL(location, provider) };
}

async function finishSignIn(config: client.Configuration, started: Started, callback: URL) {
	return client.authorizationCodeGrant(config, callback, {
		pkceCodeVerifier: started.verifier,
		expectedState: started.state,
		expectedNonce: started.nonce
	});
}

async function signInWith(config: client.Configuration, cookie: string) {
	const started = await startSignIn(config);
	const { status, location } = await browse(started.url, cookie);
	expect(status).toBe(302);
	expect(location.origin + location.pathname).toBe(CALLBACK);
	return finishSignIn(config, started, location);
}

describe('openid-client: discovery', () => {
	it('discovers the provider: issuer and the advertised endpoints match', async () => {
		const config = await dashboard();
		const metadata = config.serverMetadata();
		expect(metadata.issuer).toBe(provider);
		expect(metadata).toMatchObject({
			authorization_endpoint: `${provider}/api/auth/authorize`,
			token_endpoint: `${provider}/api/auth/token`,
			userinfo_endpoint: `${provider}/api/auth/userinfo`,
			jwks_uri: `${provider}/api/auth/jwks`,
			end_session_endpoint: `${provider}/api/auth/end-session`,
			introspection_endpoint: `${provider}/api/auth/introspect`,
			revocation_endpoint: `${provider}/api/auth/revoke`,
			registration_endpoint: `${provider}/api/auth/register`
		});
		expect(metadata.supportsPKCE()).toBe(true);
	});
});

describe('openid-client: authorization code flow with PKCE, state and nonce (client_secret_basic)', () => {
	let config: client.Configuration;
	let cookie: string;
	let tokens: Awaited<ReturnType<typeof signInWith>>;

	beforeAll(async () => {
		config = await dashboard();
		cookie = await signIn();
		tokens = await signInWith(config, cookie);
	});

	it('the ID token claims: sub, email, aud = client_id, iss = provider, nonce checked', () => {
		const claims = tokens.claims()!;
		expect(claims).toMatchObject({ iss: provider, aud: DASHBOARD.id, email: 'demo@example.com', name: 'Demo User' });
		expect(claims.sub).toBeTypeOf('string');
		expect(tokens.token_type.toLowerCase()).toBe('bearer');
		expect(tokens.refresh_token).toBeTypeOf('string');
	});

	it('fetchUserInfo answers for the same subject', async () => {
		const info = await client.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
		expect(info).toMatchObject({ sub: tokens.claims()!.sub, email: 'demo@example.com', email_verified: true, name: 'Demo User' });
	});

	it('refreshTokenGrant: a new refresh token; the new ID token keeps sub, aud and auth_time', async () => {
		const before = tokens.claims()!;
		const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
		expect(refreshed.refresh_token).toBeTypeOf('string');
		expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
		expect(refreshed.access_token).not.toBe(tokens.access_token);
		const after = refreshed.claims()!;
		expect(after.sub).toBe(before.sub);
		expect(after.aud).toBe(before.aud);
		expect(after.auth_time).toBe(before.auth_time);
	});

	it('tokenIntrospection: the access token is active and names the client', async () => {
		const fresh = await signInWith(config, cookie);
		const introspection = await client.tokenIntrospection(config, fresh.access_token);
		expect(introspection).toMatchObject({ active: true, client_id: DASHBOARD.id, sub: fresh.claims()!.sub, scope: 'openid profile email' });
	});

	it('tokenRevocation of the refresh token, then the access token introspects as inactive', async () => {
		const fresh = await signInWith(config, cookie);
		await client.tokenRevocation(config, fresh.refresh_token!, { token_type_hint: 'refresh_token' });
		expect(await client.tokenIntrospection(config, fresh.access_token)).toEqual({ active: false });
		await expect(client.refreshTokenGrant(config, fresh.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
	});
});

describe('openid-client: other client authentication and error paths', () => {
	it('client_secret_basic (ClientSecretBasic) completes the flow for team-wiki, which registered it', async () => {
		const config = await client.discovery(new URL(provider), WIKI.id, undefined, client.ClientSecretBasic(WIKI.secret), INSECURE);
		const wikiCallback = `${site2}/auth/callback`;
		const started = await startSignIn(config, wikiCallback);
		const { location } = await browse(started.url, await signIn());
		expect(location.origin + location.pathname).toBe(wikiCallback);
		const tokens = await finishSignIn(config, started, location);
		expect(tokens.claims()).toMatchObject({ aud: WIKI.id, email: 'demo@example.com' });
	});

	it('RFC 7591 §2: the method a client did not register is refused (401 invalid_client with a Basic challenge)', async () => {
		const started = await startSignIn(await dashboard());
		const { location } = await browse(started.url, await signIn());
		const viaBasic = await dashboard(client.ClientSecretBasic(DASHBOARD.secret));
		// RFC 6749 §5.2: 401 invalid_client with a Basic challenge, which openid-client surfaces as such.
		await expect(finishSignIn(viaBasic, started, location)).rejects.toMatchObject({
			status: 401,
			code: 'OAUTH_WWW_AUTHENTICATE_CHALLENGE',
			cause: [{ scheme: 'basic' }]
		});
	});

	it('a wrong client secret surfaces invalid_client from the token endpoint', async () => {
		const good = await dashboard();
		const started = await startSignIn(good);
		const { location } = await browse(started.url, await signIn());
		const bad = await dashboard(client.ClientSecretPost('wrong-secret'));
		const error = await finishSignIn(bad, started, location).then(
			() => null,
			(e: unknown) => e
		);
		// RFC 6749 §5.2: 401 with a Basic challenge, which openid-client reports as a challenge error.
		expect(error).toBeInstanceOf(client.WWWAuthenticateChallengeError);
		const challenge = error as client.WWWAuthenticateChallengeError;
		expect(challenge.status).toBe(401);
		expect(challenge.cause[0].scheme).toBe('basic');
		expect(await challenge.response.json()).toMatchObject({ error: 'invalid_client' });
	});

	it('prompt=none without a session: openid-client surfaces login_required', async () => {
		const config = await dashboard();
		const started = await startSignIn(config, CALLBACK, { prompt: 'none' });
		const { status, location } = await browse(started.url);
		expect(status).toBe(302);
		expect(location.origin + location.pathname).toBe(CALLBACK);
		const error = await finishSignIn(config, started, location).then(
			() => null,
			(e: unknown) => e
		);
		expect(error).toBeInstanceOf(client.AuthorizationResponseError);
		expect((error as client.AuthorizationResponseError).error).toBe('login_required');
	});

	it('a callback with a forged state is refused by the library before any token request', async () => {
		const config = await dashboard();
		const started = await startSignIn(config);
		const { location } = await browse(started.url, await signIn());
		await expect(finishSignIn(config, { ...started, state: client.randomState() }, location)).rejects.toMatchObject({
			code: 'OAUTH_INVALID_RESPONSE',
			cause: expect.objectContaining({ message: 'unexpected "state" response parameter value' })
		});
		// The code was never redeemed: the rightful state still works.
		await expect(finishSignIn(config, started, location)).resolves.toBeTruthy();
	});
});

describe('openid-client: dynamic client registration (RFC 7591)', () => {
	const DCR_CALLBACK = 'http://127.0.0.1:9/dcr/callback';

	it('the registered (untrusted) client signs in after consent; the consent is remembered', async () => {
		const name = `openid-client app ${Date.now()}`;
		const config = await client.dynamicClientRegistration(
			new URL(provider),
			{ redirect_uris: [DCR_CALLBACK], client_name: name, token_endpoint_auth_method: 'client_secret_basic' },
			client.ClientSecretBasic(),
			INSECURE
		);
		const metadata = config.clientMetadata();
		expect(metadata.client_id).toBeTypeOf('string');
		expect(metadata.client_secret).toBeTypeOf('string');
		expect(metadata.client_secret_expires_at).toBe(0);

		const cookie = await signIn();
		// Before any consent, prompt=none cannot ask: consent_required. The client registered
		// itself, so the provider does not redirect the error on its own (RFC 9700 §4.11.2): it
		// shows where it would go, and the user's "Continue" link carries the error response.
		const silent = await startSignIn(config, DCR_CALLBACK, { prompt: 'none' });
		const shown = await get(silent.url.href, { cookie, ...BROWSER });
		expect(shown.status).toBe(200);
		expect(shown.headers.get('location')).toBeNull();
		const continueLink = (await shown.text()).match(/href="(http:\/\/127\.0\.0\.1:9\/dcr\/callback[^"]*)"/)?.[1];
		expect(continueLink).toBeTruthy();
		await expect(finishSignIn(config, silent, new URL(continueLink!.replace(/&amp;/g, '&')))).rejects.toMatchObject({ error: 'consent_required' });

		const started = await startSignIn(config, DCR_CALLBACK);
		const first = await browse(started.url, cookie);
		expect(first.status).toBe(302);
		expect(first.location.pathname).toBe('/auth/consent');
		const returnTo = first.location.searchParams.get('return_to')!;
		expect(returnTo).toMatch(/^\/api\/auth\/authorize\?/);

		const page = await get(first.location.href, { cookie, ...BROWSER });
		expect(page.status).toBe(200);
		expect(await page.text()).toContain(`Allow ${name} to use your account?`);

		const decision = await postForm(`${provider}/auth/consent`, { return_to: returnTo, decision: 'allow' }, { cookie, origin: provider, ...BROWSER });
		expect(decision.status).toBe(303);
		expect(new URL(decision.headers.get('location')!, provider).href).toBe(new URL(returnTo, provider).href);

		const back = await browse(new URL(returnTo, provider), cookie);
		expect(back.status).toBe(302);
		expect(back.location.origin + back.location.pathname).toBe(new URL(DCR_CALLBACK).origin + new URL(DCR_CALLBACK).pathname);
		const tokens = await finishSignIn(config, started, back.location);
		expect(tokens.claims()).toMatchObject({ aud: metadata.client_id, email: 'demo@example.com' });
		// Untrusted, no offline_access: no refresh token.
		expect(tokens.refresh_token).toBeUndefined();

		// Remembered: the next sign-in goes straight back with a code.
		const again = await startSignIn(config, DCR_CALLBACK);
		const direct = await browse(again.url, cookie);
		expect(direct.location.searchParams.get('code')).toBeTruthy();
		await expect(finishSignIn(config, again, direct.location)).resolves.toBeTruthy();
	});

	it.each(['ES256', 'EdDSA'])(
		'a client registered with id_token_signed_response_alg %s gets ID tokens openid-client verifies through the JWKS',
		async (alg) => {
			const config = await client.dynamicClientRegistration(
				new URL(provider),
				{ redirect_uris: [DCR_CALLBACK], id_token_signed_response_alg: alg },
				client.ClientSecretBasic(),
				INSECURE
			);
			const cookie = await signIn();
			const started = await startSignIn(config, DCR_CALLBACK);
			const first = await browse(started.url, cookie);
			const returnTo = first.location.searchParams.get('return_to')!;
			await postForm(`${provider}/auth/consent`, { return_to: returnTo, decision: 'allow' }, { cookie, origin: provider, ...BROWSER });
			const back = await browse(new URL(returnTo, provider), cookie);
			const tokens = await finishSignIn(config, started, back.location);
			expect(JSON.parse(Buffer.from(tokens.id_token!.split('.')[0], 'base64url').toString()).alg).toBe(alg);
			expect(tokens.claims()).toMatchObject({ aud: config.clientMetadata().client_id, email: 'demo@example.com' });
		}
	);

	it('Deny on the consent page sends access_denied back, which openid-client surfaces', async () => {
		const config = await client.dynamicClientRegistration(new URL(provider), { redirect_uris: [DCR_CALLBACK] }, client.ClientSecretBasic(), INSECURE);
		const cookie = await signIn();
		const started = await startSignIn(config, DCR_CALLBACK);
		const first = await browse(started.url, cookie);
		const returnTo = first.location.searchParams.get('return_to')!;
		const decision = await postForm(`${provider}/auth/consent`, { return_to: returnTo, decision: 'deny' }, { cookie, origin: provider, ...BROWSER });
		expect(decision.status).toBe(303);
		const callback = new URL(decision.headers.get('location')!);
		await expect(finishSignIn(config, started, callback)).rejects.toMatchObject({ error: 'access_denied' });
	});

	it('open registration cannot get client_credentials (issue #6): the registration is refused with invalid_client_metadata', async () => {
		// A token for an API is the operator's to allow (initial access token, tests/security/client-credentials-scope.test.ts).
		await expect(
			client.dynamicClientRegistration(
				new URL(provider),
				{ redirect_uris: [DCR_CALLBACK], grant_types: ['client_credentials'] },
				client.ClientSecretBasic(),
				INSECURE
			)
		).rejects.toMatchObject({ error: 'invalid_client_metadata' });
		// The dashboard's client is not registered for it.
		await expect(client.clientCredentialsGrant(await dashboard())).rejects.toMatchObject({ error: 'unauthorized_client' });
	});
});

describe('openid-client: RP-initiated logout', () => {
	it('buildEndSessionUrl with id_token_hint, post_logout_redirect_uri and state → back to site1 with state; the provider session is gone', async () => {
		const config = await dashboard();
		const cookie = await signIn();
		const tokens = await signInWith(config, cookie);
		const state = client.randomState();
		const url = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: `${site1}/`, state });
		expect(url.origin + url.pathname).toBe(`${provider}/api/auth/end-session`);
		const { status, location } = await browse(url, cookie);
		expect(status).toBe(302);
		expect(location.origin + location.pathname).toBe(`${site1}/`);
		expect(location.searchParams.get('state')).toBe(state);
		expect(await (await get(`${provider}/api/auth/session`, { cookie })).json()).toBeNull();
		// The grant of that session is revoked with it.
		expect(await client.tokenIntrospection(config, tokens.access_token)).toEqual({ active: false });
	});
});
