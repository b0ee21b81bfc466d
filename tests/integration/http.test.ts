// The guide's curl commands and the provider's endpoints, over real HTTP against the production
// build started by tests/support/server.global-setup.ts.
import { createHash } from 'node:crypto';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import {
	authorizeURL,
	authorizeWith,
	basicAuthorization,
	codeFor,
	DASHBOARD,
	DASHBOARD_CREDENTIALS,
	dashboardRequest,
	expectOAuthError,
	DEMO,
	get,
	postForm,
	postJSON,
	servers,
	setCookie,
	signIn,
	signUp,
	confirmSignUpLink,
	signUpToken,
	tokenRequest,
	uniqueEmail,
	WIKI
} from '../support/http';
import { readMail } from '../support/mail-sink';

const { provider, site1, site2 } = servers();
const CALLBACK = `${site1}/auth/callback`;

interface Discovery extends Record<string, unknown> {
	issuer: string;
	authorization_endpoint: string;
	token_endpoint: string;
	userinfo_endpoint: string;
	jwks_uri: string;
}

async function discovery(): Promise<Discovery> {
	return (await get(`${provider}/.well-known/openid-configuration`)).json() as Promise<Discovery>;
}

describe('discovery: GET /.well-known/openid-configuration', () => {
	it("names the issuer and the guide's endpoints, RS256 and PKCE S256", async () => {
		const response = await get(`${provider}/.well-known/openid-configuration`);
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toMatch(/^application\/json/);
		const doc = (await response.json()) as Discovery;
		expect(doc).toMatchObject({
			issuer: provider,
			authorization_endpoint: `${provider}/api/auth/authorize`,
			token_endpoint: `${provider}/api/auth/token`,
			userinfo_endpoint: `${provider}/api/auth/userinfo`,
			jwks_uri: `${provider}/api/auth/jwks`,
			response_types_supported: ['code'],
			code_challenge_methods_supported: ['S256'],
			authorization_response_iss_parameter_supported: true
		});
		expect(doc.id_token_signing_alg_values_supported).toContain('RS256');
		expect(doc.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email']));
		expect(doc.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token']));
		expect(doc.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['client_secret_basic', 'client_secret_post']));
	});

	it('advertises nothing that 404s: every *_endpoint and jwks_uri answers', async () => {
		const doc = await discovery();
		const advertised = Object.entries(doc).filter(([key, value]) => (key.endsWith('_endpoint') || key.endsWith('_uri')) && typeof value === 'string');
		expect(advertised.length).toBeGreaterThanOrEqual(4);
		for (const [key, url] of advertised) {
			expect(new URL(url as string).origin, key).toBe(provider);
			const response = await get(url as string);
			expect(response.status, `${key} ${url}`).not.toBe(404);
			expect(response.status, `${key} ${url}`).toBeLessThan(500);
		}
	});

	it("every advertised URL-valued member points at the issuer's origin and answers", async () => {
		const doc = await discovery();
		for (const [key, value] of Object.entries(doc)) {
			if (typeof value !== 'string' || !/^https?:\/\//.test(value) || key === 'issuer') continue;
			const response = await get(value);
			expect(response.status, `${key} ${value}`).not.toBe(404);
		}
	});

	it("is not served on the demo sites' origins", async () => {
		expect((await get(`${site1}/.well-known/openid-configuration`)).status).toBe(404);
		expect((await get(`${site2}/api/auth/jwks`)).status).toBe(404);
	});
});

describe('JWKS: GET /api/auth/jwks (the guide\'s "curl .../api/auth/jwks | jq")', () => {
	it('returns signing keys (RS256, ES256, EdDSA) with public members only, and a Cache-Control', async () => {
		const response = await get(`${provider}/api/auth/jwks`);
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toMatch(/json/);
		expect(response.headers.get('cache-control')).toMatch(/max-age=\d+/);
		const { keys } = (await response.json()) as { keys: Record<string, unknown>[] };
		expect(keys.length).toBeGreaterThanOrEqual(1);
		expect(keys.map((k) => k.alg).sort()).toEqual(['ES256', 'EdDSA', 'RS256']);
		for (const key of keys) {
			const shape = { RS256: { kty: 'RSA', e: 'AQAB' }, ES256: { kty: 'EC', crv: 'P-256' }, EdDSA: { kty: 'OKP', crv: 'Ed25519' } }[key.alg as string];
			expect(key).toMatchObject({ use: 'sig', ...shape });
			expect(key.kid).toBeTypeOf('string');
			for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']) expect(key, member).not.toHaveProperty(member);
		}
	});

	it('is stable: two requests publish the same kids', async () => {
		const a = (await (await get(`${provider}/api/auth/jwks`)).json()) as { keys: { kid: string }[] };
		const b = (await (await get(`${provider}/api/auth/jwks`)).json()) as { keys: { kid: string }[] };
		expect(b.keys.map((k) => k.kid)).toEqual(a.keys.map((k) => k.kid));
	});
});

describe("POST /api/auth/sign-up/email (the guide's Method 3)", () => {
	it('answers 202 "verification_sent" and sets no cookie: the account waits for the mailed link', async () => {
		const email = uniqueEmail('signup');
		const response = await postJSON(`${provider}/api/auth/sign-up/email`, { email, password: 'TestPass123!', name: 'Test User' });
		expect(response.status).toBe(202);
		expect(response.headers.get('content-type')).toMatch(/^application\/json/);
		expect(response.headers.get('cache-control')).toBe('no-store');
		const body = (await response.json()) as Record<string, unknown>;
		expect(body).toEqual({ status: 'verification_sent', email, message: expect.stringMatching(/Check your inbox/) });
		expect(setCookie(response, 'op_session')).toBeUndefined();
		// Not an account yet: its password does not sign in.
		expect((await postJSON(`${provider}/api/auth/sign-in/email`, { email, password: 'TestPass123!' })).status).toBe(401);
	});

	it('the mailed link signs the new user in: op_session (HttpOnly, SameSite=Lax, Path=/), email verified', async () => {
		const email = uniqueEmail('signup-link');
		await postJSON(`${provider}/api/auth/sign-up/email`, { email, password: 'TestPass123!', name: 'Test User' });
		const token = await signUpToken(servers().mailDir, email);
		const response = await postForm(`${provider}/auth/verify-email`, { token }, { origin: provider, accept: 'text/html' });
		expect(response.status).toBe(303);
		expect(response.headers.get('location')).toBe('/account');
		const cookie = setCookie(response, 'op_session');
		expect(cookie?.value).toMatch(/^[a-z0-9]+\.[a-z0-9]+$/);
		const attributes = cookie!.attributes.map((a) => a.toLowerCase());
		expect(attributes).toContain('httponly');
		expect(attributes).toContain('samesite=lax');
		expect(attributes).toContain('path=/');
		// http://localhost: not Secure, or the browser would not send it back.
		expect(attributes).not.toContain('secure');
		const session = (await (await get(`${provider}/api/auth/session`, { cookie: `op_session=${cookie!.value}` })).json()) as { user: Record<string, unknown> };
		expect(session.user).toMatchObject({ email, name: 'Test User', emailVerified: true });
		expect(JSON.stringify(session)).not.toMatch(/TestPass123!|argon2/);
	});

	it('the new session is valid at GET /api/auth/session', async () => {
		const user = await signUp('Session Check');
		const session = (await (await get(`${provider}/api/auth/session`, { cookie: user.cookie })).json()) as { user: { email: string; id: string } };
		expect(session.user.email).toBe(user.email);
		expect(session.user.id).toBe(user.body.user.id);
	});

	it('stores the email lower-cased', async () => {
		const email = uniqueEmail('MiXeD').toUpperCase();
		const response = await postJSON(`${provider}/api/auth/sign-up/email`, { email, password: 'TestPass123!', name: 'Case' });
		expect(((await response.json()) as { email: string }).email).toBe(email.toLowerCase());
		const cookie = await confirmSignUpLink(provider, servers().mailDir, email.toLowerCase());
		const session = (await (await get(`${provider}/api/auth/session`, { cookie })).json()) as { user: { email: string } };
		expect(session.user.email).toBe(email.toLowerCase());
	});

	it('invalid fields → 400 JSON with a message per field', async () => {
		const response = await postJSON(`${provider}/api/auth/sign-up/email`, { email: 'not-an-email', password: 'short', name: '' });
		expect(response.status).toBe(400);
		expect(response.headers.get('content-type')).toMatch(/^application\/json/);
		const body = (await response.json()) as { error: string; fields: Record<string, string> };
		expect(body.error).toBe('invalid_request');
		expect(body.fields).toEqual({
			name: 'Enter your name.',
			email: 'Enter an email address like name@example.com.',
			password: 'Use at least 8 characters.'
		});
		expect(setCookie(response, 'op_session')).toBeUndefined();
	});

	it('a body that is not a JSON object → 400 JSON', async () => {
		for (const body of ['{"email":', '[]', 'null', '"text"']) {
			const response = await fetch(`${provider}/api/auth/sign-up/email`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
			expect(response.status, body).toBe(400);
			expect(((await response.json()) as { error: string }).error).toBe('invalid_request');
		}
	});

	it('an address that has an account → the same 202 answer, no session; the owner is told by mail', async () => {
		const owner = await signUp('Owner');
		const response = await postJSON(`${provider}/api/auth/sign-up/email`, { email: owner.email.toUpperCase(), password: 'OtherPass123!', name: 'Second' });
		expect(response.status).toBe(202);
		expect(await response.json()).toEqual({ status: 'verification_sent', email: owner.email, message: expect.stringMatching(/Check your inbox/) });
		expect(setCookie(response, 'op_session')).toBeUndefined();
		const mail = await readMail(servers().mailDir, owner.email, { subject: /Someone tried to create an account/ });
		expect(mail.links).toContain(`${provider}/auth/forgot-password`);
		// The owner's password is unchanged.
		expect((await postJSON(`${provider}/api/auth/sign-in/email`, { email: owner.email, password: owner.password })).status).toBe(200);
	});
});

describe('POST /api/auth/sign-in/email', () => {
	it('the demo user signs in: 200, op_session cookie, the user in the body', async () => {
		const response = await postJSON(`${provider}/api/auth/sign-in/email`, { email: DEMO.email, password: DEMO.password });
		expect(response.status).toBe(200);
		expect(((await response.json()) as { user: { name: string; emailVerified: boolean } }).user).toMatchObject({ name: DEMO.name, emailVerified: true });
		const cookie = setCookie(response, 'op_session');
		expect(cookie?.attributes.map((a) => a.toLowerCase())).toEqual(expect.arrayContaining(['httponly', 'samesite=lax', 'path=/']));
	});

	it('wrong password or unknown email → 401 JSON with the same message, no cookie', async () => {
		const wrong = await postJSON(`${provider}/api/auth/sign-in/email`, { email: DEMO.email, password: 'wrong-password' });
		const unknown = await postJSON(`${provider}/api/auth/sign-in/email`, { email: uniqueEmail('nobody'), password: DEMO.password });
		for (const response of [wrong, unknown]) {
			expect(response.status).toBe(401);
			expect(((await response.json()) as { message: string }).message).toBe('Email or password is incorrect.');
			expect(setCookie(response, 'op_session')).toBeUndefined();
		}
	});

	it('a malformed body → 400 JSON', async () => {
		const response = await postJSON(`${provider}/api/auth/sign-in/email`, { email: DEMO.email });
		expect(response.status).toBe(400);
		expect(((await response.json()) as { error: string }).error).toBe('invalid_request');
	});

	it('a cross-site browser POST is refused (403)', async () => {
		const response = await postJSON(`${provider}/api/auth/sign-in/email`, { email: DEMO.email, password: DEMO.password }, { origin: 'https://evil.example' });
		expect(response.status).toBe(403);
		expect(setCookie(response, 'op_session')).toBeUndefined();
	});
});

describe('GET /api/auth/session', () => {
	it('without a cookie → null', async () => {
		const response = await get(`${provider}/api/auth/session`);
		expect(response.status).toBe(200);
		expect(await response.json()).toBeNull();
	});

	it('with the op_session cookie → { session, user }, not cacheable', async () => {
		const response = await get(`${provider}/api/auth/session`, { cookie: await signIn() });
		expect(response.status).toBe(200);
		expect(response.headers.get('cache-control')).toBe('no-store');
		const body = (await response.json()) as { session: Record<string, string>; user: Record<string, unknown> };
		expect(body.user).toMatchObject({ email: DEMO.email, name: DEMO.name, emailVerified: true });
		expect(body.session.userId).toBe(body.user.id);
		expect(new Date(body.session.expiresAt).getTime()).toBeGreaterThan(Date.now());
		expect(JSON.stringify(body)).not.toMatch(/secret|hash/i);
	});

	it('with a forged cookie → null, and the cookie is cleared', async () => {
		const cookie = await signIn();
		const forged = cookie.replace(/\.[a-z0-9]+$/, '.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa');
		const response = await get(`${provider}/api/auth/session`, { cookie: forged });
		expect(await response.json()).toBeNull();
		const cleared = setCookie(response, 'op_session');
		expect(cleared?.value ?? '').toBe('');
	});
});

describe('authorization code flow, as in the guide', () => {
	it('not signed in → 302 to /auth/login with return_to pointing back at the request', async () => {
		const response = await get(authorizeURL(dashboardRequest()));
		expect(response.status).toBe(302);
		const location = new URL(response.headers.get('location')!, provider);
		expect(location.origin).toBe(provider);
		expect(location.pathname).toBe('/auth/login');
		expect(location.searchParams.get('return_to')).toMatch(/^\/api\/auth\/authorize\?/);
	});

	it("the guide's exact authorize URL and form body (client_secret_post) give tokens that verify through the JWKS", async () => {
		const cookie = await signIn();
		// README.md's URL, on two lines (the request below uses this test server's origins):
		// http://localhost:3000/api/auth/authorize?client_id=internal-dashboard&response_type=code
		//   &redirect_uri=http://localhost:3001/auth/callback&scope=openid%20profile%20email
		const response = await get(
			`${provider}/api/auth/authorize?client_id=internal-dashboard&response_type=code&redirect_uri=${site1}/auth/callback&scope=openid%20profile%20email`,
			{ cookie }
		);
		expect(response.status).toBe(302);
		const location = new URL(response.headers.get('location')!);
		expect(location.origin + location.pathname).toBe(CALLBACK);
		expect(location.searchParams.get('iss')).toBe(provider);
		expect(location.searchParams.has('state')).toBe(false);
		const code = location.searchParams.get('code')!;
		expect(code).toBeTruthy();

		const token = await postForm(`${provider}/api/auth/token`, {
			grant_type: 'authorization_code',
			code,
			...DASHBOARD_CREDENTIALS,
			redirect_uri: `${site1}/auth/callback`
		});
		expect(token.status).toBe(200);
		expect(token.headers.get('content-type')).toMatch(/^application\/json/);
		expect(token.headers.get('cache-control')).toBe('no-store');
		const tokens = (await token.json()) as Record<string, unknown>;
		expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
		expect(tokens.access_token).toBeTypeOf('string');
		expect(tokens.refresh_token).toBeTypeOf('string');

		const JWKS = createRemoteJWKSet(new URL(`${provider}/api/auth/jwks`));
		const { payload } = await jwtVerify(tokens.id_token as string, JWKS, { issuer: provider, audience: 'internal-dashboard' });
		expect(payload).toMatchObject({ email: DEMO.email, name: DEMO.name, email_verified: true });
		expect(payload.sub).toBeTypeOf('string');
		expect(payload).not.toHaveProperty('nonce');
		expect(decodeProtectedHeader(tokens.id_token as string).kid).toBeTypeOf('string');
		const atHash = createHash('sha256')
			.update(tokens.access_token as string)
			.digest()
			.subarray(0, 16)
			.toString('base64url');
		expect(payload.at_hash).toBe(atHash);
	});

	it("client_secret_basic (team-wiki's registered method), state, nonce and PKCE S256", async () => {
		const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
		const params = dashboardRequest({
			client_id: WIKI.id,
			redirect_uri: `${site2}/auth/callback`,
			code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
			code_challenge_method: 'S256'
		});
		const location = await authorizeWith(await signIn(), params);
		expect(location.searchParams.get('state')).toBe(params.state);
		expect(location.searchParams.get('iss')).toBe(provider);
		const response = await tokenRequest(
			{ grant_type: 'authorization_code', code: location.searchParams.get('code')!, redirect_uri: `${site2}/auth/callback`, code_verifier: verifier },
			{ authorization: basicAuthorization(WIKI.id, WIKI.secret) }
		);
		expect(response.status).toBe(200);
		const tokens = (await response.json()) as { id_token: string };
		const { payload } = await jwtVerify(tokens.id_token, createRemoteJWKSet(new URL(`${provider}/api/auth/jwks`)), {
			issuer: provider,
			audience: WIKI.id
		});
		expect(payload.nonce).toBe(params.nonce);
	});

	it('the authorization endpoint also takes a form POST from a browser (OIDC Core §3.1.2.1) and answers 303', async () => {
		const cookie = await signIn();
		const params = dashboardRequest();
		const response = await postForm(`${provider}/api/auth/authorize`, params, { cookie, accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
		expect(response.status).toBe(303);
		const location = new URL(response.headers.get('location')!);
		expect(location.origin + location.pathname).toBe(CALLBACK);
		expect(location.searchParams.get('state')).toBe(params.state);
		expect(location.searchParams.get('code')).toBeTruthy();
	});

	it('a form POST without a browser Accept header (curl: */*) is still answered with a redirect, not SvelteKit action JSON', async () => {
		const cookie = await signIn();
		const response = await postForm(`${provider}/api/auth/authorize`, dashboardRequest(), { cookie, accept: '*/*' });
		expect(response.status).toBe(303);
		expect(new URL(response.headers.get('location')!).searchParams.get('code')).toBeTruthy();
	});

	it("refresh_token grant with client_secret_post (the guide's Issue 4)", async () => {
		const code = await codeFor();
		const first = (await (
			await tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK, client_id: DASHBOARD.id, client_secret: DASHBOARD.secret })
		).json()) as {
			refresh_token: string;
		};
		const response = await tokenRequest({
			grant_type: 'refresh_token',
			refresh_token: first.refresh_token,
			client_id: DASHBOARD.id,
			client_secret: DASHBOARD.secret
		});
		expect(response.status).toBe(200);
		const second = (await response.json()) as Record<string, string>;
		expect(second.access_token).toBeTypeOf('string');
		expect(second.id_token).toBeTypeOf('string');
		expect(second.refresh_token).not.toBe(first.refresh_token);
	});

	it('a code is single use over HTTP: the replay → invalid_grant and the first access token is revoked', async () => {
		const code = await codeFor();
		const body = { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, ...DASHBOARD_CREDENTIALS };
		const first = await tokenRequest(body);
		const { access_token } = (await first.json()) as { access_token: string };
		expect((await get(`${provider}/api/auth/userinfo`, { authorization: `Bearer ${access_token}` })).status).toBe(200);
		await expectOAuthError(await tokenRequest(body), 400, 'invalid_grant');
		expect((await get(`${provider}/api/auth/userinfo`, { authorization: `Bearer ${access_token}` })).status).toBe(401);
	});
});

describe('token endpoint errors: RFC 6749 §5.2 JSON with Cache-Control: no-store', () => {
	it('unsupported_grant_type', async () => {
		const response = await tokenRequest({ grant_type: 'password', username: DEMO.email, password: DEMO.password, ...DASHBOARD_CREDENTIALS });
		await expectOAuthError(response, 400, 'unsupported_grant_type');
	});

	it('invalid_client → 401 with WWW-Authenticate (wrong secret via Basic)', async () => {
		const response = await tokenRequest(
			{ grant_type: 'authorization_code', code: 'x', redirect_uri: CALLBACK },
			{ authorization: basicAuthorization(WIKI.id, 'wrong') }
		);
		await expectOAuthError(response, 401, 'invalid_client');
		expect(response.headers.get('www-authenticate')).toMatch(/^Basic /);
	});

	it('invalid_client → 401 (wrong secret via client_secret_post)', async () => {
		const response = await tokenRequest({
			grant_type: 'authorization_code',
			code: 'x',
			redirect_uri: CALLBACK,
			client_id: DASHBOARD.id,
			client_secret: 'wrong'
		});
		await expectOAuthError(response, 401, 'invalid_client');
	});

	it('invalid_client → 401 (unknown client, no credentials)', async () => {
		await expectOAuthError(await tokenRequest({ grant_type: 'authorization_code', code: 'x', client_id: 'nope', client_secret: 'x' }), 401, 'invalid_client');
		await expectOAuthError(await tokenRequest({ grant_type: 'authorization_code', code: 'x' }), 401, 'invalid_client');
	});

	it('invalid_grant (unknown code)', async () => {
		const response = await tokenRequest({
			grant_type: 'authorization_code',
			code: 'no-such-code',
			redirect_uri: CALLBACK,
			client_id: DASHBOARD.id,
			client_secret: DASHBOARD.secret
		});
		await expectOAuthError(response, 400, 'invalid_grant');
	});

	it('invalid_grant (wrong redirect_uri)', async () => {
		const code = await codeFor();
		const response = await tokenRequest({
			grant_type: 'authorization_code',
			code,
			redirect_uri: `${site2}/auth/callback`,
			client_id: DASHBOARD.id,
			client_secret: DASHBOARD.secret
		});
		await expectOAuthError(response, 400, 'invalid_grant');
	});

	it('a repeated parameter → invalid_request', async () => {
		const body =
			`grant_type=authorization_code&code=a&code=b&redirect_uri=${encodeURIComponent(CALLBACK)}` +
			`&client_id=${DASHBOARD.id}&client_secret=${DASHBOARD.secret}`;
		await expectOAuthError(await tokenRequest(body), 400, 'invalid_request');
	});

	it('Basic and client_secret at once → invalid_request', async () => {
		const response = await tokenRequest(
			{ grant_type: 'authorization_code', code: 'x', redirect_uri: CALLBACK, client_secret: WIKI.secret },
			{ authorization: basicAuthorization(WIKI.id, WIKI.secret) }
		);
		await expectOAuthError(response, 400, 'invalid_request');
	});

	it('a JSON body → invalid_request (the endpoint takes application/x-www-form-urlencoded)', async () => {
		const response = await postJSON(
			`${provider}/api/auth/token`,
			{ grant_type: 'authorization_code', code: 'x' },
			{ authorization: basicAuthorization(WIKI.id, WIKI.secret) }
		);
		await expectOAuthError(response, 400, 'invalid_request');
	});

	it('missing grant_type → invalid_request', async () => {
		await expectOAuthError(await tokenRequest({}, { authorization: basicAuthorization(WIKI.id, WIKI.secret) }), 400, 'invalid_request');
	});

	it('server-to-server POSTs are not blocked by a CSRF check (no Origin header needed)', async () => {
		const response = await tokenRequest(
			{ grant_type: 'authorization_code', code: 'x' },
			{ authorization: basicAuthorization(WIKI.id, WIKI.secret), origin: 'https://rp.example' }
		);
		expect(response.status).not.toBe(403);
	});
});

describe('authorization endpoint errors', () => {
	it('unknown client → 400 HTML error page on the provider, no redirect', async () => {
		const response = await get(authorizeURL({ ...dashboardRequest(), client_id: 'no-such-client' }));
		expect(response.status).toBe(400);
		expect(response.headers.get('location')).toBeNull();
		expect(response.headers.get('content-type')).toMatch(/^text\/html/);
		const html = await response.text();
		expect(html).toContain('Sign-in request rejected');
		expect(html).toContain('data-origin="provider"');
	});

	it("unregistered redirect_uri → 400 HTML error page, no redirect (never to the attacker's URI)", async () => {
		const response = await get(authorizeURL(dashboardRequest({ redirect_uri: 'https://evil.example/cb' })), { cookie: await signIn() });
		expect(response.status).toBe(400);
		expect(response.headers.get('location')).toBeNull();
		const html = await response.text();
		expect(html).toContain('Sign-in request rejected');
		expect(html).not.toContain('code=');
	});

	it('unknown client via form POST → 400 HTML, no redirect', async () => {
		const response = await postForm(`${provider}/api/auth/authorize`, { ...dashboardRequest(), client_id: 'no-such-client' });
		expect(response.status).toBe(400);
		expect(response.headers.get('location')).toBeNull();
	});

	it('a POST that is not form-encoded → 400 HTML error page naming the expected body, no redirect', async () => {
		const response = await fetch(`${provider}/api/auth/authorize`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(dashboardRequest()),
			redirect: 'manual'
		});
		expect(response.status).toBe(400);
		expect(response.headers.get('location')).toBeNull();
		expect(response.headers.get('content-type')).toMatch(/^text\/html/);
		const html = await response.text();
		expect(html).toContain('Sign-in request rejected');
		expect(html).toContain('application/x-www-form-urlencoded');
	});

	it.each([
		['missing openid', { scope: 'profile email' }, 'invalid_scope'],
		['response_type=token', { response_type: 'token' }, 'unsupported_response_type'],
		['plain PKCE', { code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'plain' }, 'invalid_request'],
		['request object', { request: 'eyJhbGciOiJub25lIn0.e30.' }, 'request_not_supported'],
		['prompt=none while signed out', { prompt: 'none' }, 'login_required']
	])('%s → redirect to the client with error, error_description, state and iss', async (_, overrides, error) => {
		const params = dashboardRequest(overrides as Record<string, string>);
		const response = await get(authorizeURL(params));
		expect(response.status).toBe(302);
		const location = new URL(response.headers.get('location')!);
		expect(location.origin + location.pathname).toBe(CALLBACK);
		expect(location.searchParams.get('error')).toBe(error);
		expect(location.searchParams.get('error_description')).toBeTruthy();
		expect(location.searchParams.get('state')).toBe(params.state);
		expect(location.searchParams.get('iss')).toBe(provider);
		expect(location.searchParams.has('code')).toBe(false);
	});
});

describe('UserInfo: GET and POST /api/auth/userinfo', () => {
	async function accessToken(scope = 'openid profile email') {
		const code = await codeFor(dashboardRequest({ scope }));
		const response = await tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK, ...DASHBOARD_CREDENTIALS });
		return (await response.json()) as { access_token: string; id_token: string };
	}

	it('GET with Authorization: Bearer → the claims of the scope, not cacheable', async () => {
		const { access_token } = await accessToken();
		const response = await get(`${provider}/api/auth/userinfo`, { authorization: `Bearer ${access_token}` });
		expect(response.status).toBe(200);
		expect(response.headers.get('cache-control')).toBe('no-store');
		expect(await response.json()).toMatchObject({ email: DEMO.email, name: DEMO.name, email_verified: true, sub: expect.any(String) });
	});

	it('POST with Authorization: Bearer, and POST with access_token in the form body', async () => {
		const { access_token } = await accessToken('openid email');
		const viaHeader = await fetch(`${provider}/api/auth/userinfo`, { method: 'POST', headers: { authorization: `Bearer ${access_token}` } });
		expect(viaHeader.status).toBe(200);
		const viaBody = await postForm(`${provider}/api/auth/userinfo`, { access_token });
		expect(viaBody.status).toBe(200);
		const claims = (await viaBody.json()) as Record<string, unknown>;
		expect(claims.email).toBe(DEMO.email);
		expect(claims).not.toHaveProperty('name');
	});

	it('no token → 401 with WWW-Authenticate: Bearer', async () => {
		const response = await get(`${provider}/api/auth/userinfo`);
		expect(response.status).toBe(401);
		expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
	});

	it('an ID token instead of an access token → 401 invalid_token', async () => {
		const { id_token } = await accessToken();
		const response = await get(`${provider}/api/auth/userinfo`, { authorization: `Bearer ${id_token}` });
		expect(response.status).toBe(401);
		expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
		expect(((await response.json()) as { error: string }).error).toBe('invalid_token');
	});

	it('a garbage token → 401 invalid_token', async () => {
		const response = await get(`${provider}/api/auth/userinfo`, { authorization: 'Bearer not.a.token' });
		expect(response.status).toBe(401);
		expect(((await response.json()) as { error: string }).error).toBe('invalid_token');
	});
});
