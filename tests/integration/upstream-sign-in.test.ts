// What a relying party gets after someone signs in through an upstream: the demo dashboard's
// ID token (verified with the provider's JWKS) carries the right email, email_verified, name and
// amr (RFC 8176) for GitHub, Google and a generic OpenID provider, and for a linked account.
// A server of our own, configured with the local fakes (fake-upstreams.js).
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confirmSignUpLink, DASHBOARD, DASHBOARD_CREDENTIALS, DEMO, get, postForm, postJSON, servers } from '../support/http';
import { startProductionServer, testPortOffset, type ProductionServer } from '../support/production-server';
import {
	HTML,
	linkCookieOf,
	sessionCookieOf,
	startFakeGitHub,
	startFakeOIDC,
	uniqueAccount,
	upstreamSignIn,
	type FakeGitHub,
	type FakeOIDC,
	type UpstreamAccount
} from '../support/upstream-flow';

const postgres = process.env.TEST_DB === 'postgres';
let server: ProductionServer;
let provider: string;
let site1: string;
let github: FakeGitHub;
let google: FakeOIDC;
let acme: FakeOIDC;

beforeAll(async () => {
	[github, google, acme] = await Promise.all([startFakeGitHub(), startFakeOIDC(), startFakeOIDC({ title: 'Acme SSO', clientId: 'acme-client' })]);
	server = await startProductionServer({
		port: 4523 + testPortOffset(),
		database: postgres ? 'postgres' : 'pglite',
		env: { ...github.env(), ...google.googleEnv(), UPSTREAM_OIDC: JSON.stringify([acme.genericEntry('acme', 'Acme SSO')]) }
	});
	({ provider, site1 } = server.urls);
}, 180_000);
afterAll(async () => {
	await server?.stop();
	await Promise.all([github?.close(), google?.close(), acme?.close()]);
});

function authorizePath(): string {
	const params = new URLSearchParams({
		client_id: DASHBOARD.id,
		response_type: 'code',
		redirect_uri: `${site1}/auth/callback`,
		scope: 'openid profile email',
		state: `state-${Math.random().toString(36).slice(2)}`,
		nonce: `nonce-${Math.random().toString(36).slice(2)}`
	});
	return `/api/auth/authorize?${params}`;
}

/** The dashboard's authorization request, answered after signing in at `upstreamId`; returns its verified ID token claims. */
async function dashboardClaimsAfter(signIn: (returnTo: string) => Promise<Response>): Promise<JWTPayload> {
	// No session yet: the provider sends the browser to its sign-in page, keeping the request.
	const first = await get(`${provider}${authorizePath()}`, HTML);
	expect(first.status).toBe(302);
	const login = new URL(first.headers.get('location')!, provider);
	expect(login.pathname).toBe('/auth/login');
	const returnTo = login.searchParams.get('return_to')!;
	const signedIn = await signIn(returnTo);
	expect(signedIn.status, await signedIn.clone().text()).toBe(303);
	expect(signedIn.headers.get('location')).toBe(returnTo);
	const authorized = await get(`${provider}${returnTo}`, { ...HTML, cookie: sessionCookieOf(signedIn)! });
	expect(authorized.status).toBe(302);
	const code = new URL(authorized.headers.get('location')!).searchParams.get('code');
	expect(code).toBeTruthy();
	const tokens = await postForm(`${provider}/api/auth/token`, {
		grant_type: 'authorization_code',
		code: code!,
		redirect_uri: `${site1}/auth/callback`,
		...DASHBOARD_CREDENTIALS
	});
	expect(tokens.status).toBe(200);
	const { id_token } = (await tokens.json()) as { id_token: string };
	const { payload } = await jwtVerify(id_token, createRemoteJWKSet(new URL(`${provider}/api/auth/jwks`)), { issuer: provider, audience: DASHBOARD.id });
	return payload;
}

const via = (id: string, account: UpstreamAccount) => (returnTo: string) => upstreamSignIn(provider, id, account, returnTo);

describe('ID tokens after an upstream sign-in', () => {
	it('GitHub, first time: a new account with the verified primary address, the GitHub name, amr ["fed"]', async () => {
		const account = uniqueAccount('gh');
		const claims = await dashboardClaimsAfter(via('github', account));
		expect(claims).toMatchObject({ email: account.email, email_verified: true, name: account.name, amr: ['fed'] });
		// No upstream-specific claim is invented (no spec defines an `idp` claim in ID tokens).
		expect(claims).not.toHaveProperty('idp');
	});

	it('GitHub without a name: the login is the name', async () => {
		const account = { ...uniqueAccount('noname'), name: '' };
		expect(await dashboardClaimsAfter(via('github', account))).toMatchObject({ name: account.login, email_verified: true });
	});

	it('Google: the ID token’s claims; the upstream’s registered amr values are passed on', async () => {
		google.behaviour.idToken = { amr: ['pwd', 'mfa', 'not-registered'] };
		try {
			const account = uniqueAccount('google');
			expect(await dashboardClaimsAfter(via('google', account))).toMatchObject({
				email: account.email,
				email_verified: true,
				name: account.name,
				amr: ['pwd', 'mfa']
			});
		} finally {
			google.behaviour.idToken = undefined;
		}
	});

	it('a generic OpenID provider that sends email_verified as the string "true": verified', async () => {
		const account = uniqueAccount('acme', 'true');
		expect(await dashboardClaimsAfter(via('acme', account))).toMatchObject({ email: account.email, email_verified: true, amr: ['fed'] });
	});

	it('an existing account linked with its password: its own sub, name and address; amr says both', async () => {
		const email = `linked-${Date.now().toString(36)}@example.com`;
		const password = 'linked passphrase 42';
		const signUp = await postJSON(`${provider}/api/auth/sign-up/email`, { email, password, name: 'Existing Person' });
		expect(signUp.status).toBe(202);
		const cookie = await confirmSignUpLink(provider, server.mail!.dir, email);
		const { user } = (await (await get(`${provider}/api/auth/session`, { cookie })).json()) as { user: { id: string } };
		const account = { ...uniqueAccount('link'), email };
		const claims = await dashboardClaimsAfter(async (returnTo) => {
			const pending = await upstreamSignIn(provider, 'github', account, returnTo);
			expect(pending.headers.get('location')).toBe('/auth/upstream/link');
			return postForm(`${provider}/auth/upstream/link?/password`, { password }, { cookie: linkCookieOf(pending) });
		});
		// The existing account, not a new one.
		expect(claims).toMatchObject({ sub: user.id, email, name: 'Existing Person', amr: ['fed', 'pwd'] });
		// The next GitHub sign-in goes straight to the same account.
		const again = await dashboardClaimsAfter(via('github', account));
		expect(again).toMatchObject({ sub: user.id, email, amr: ['fed'] });
	});
});

describe('the sign-in page offers the configured upstreams', () => {
	it('one "Continue with" link per upstream, carrying return_to', async () => {
		const html = await (await get(`${provider}/auth/login?return_to=%2Faccount`, HTML)).text();
		for (const [id, name] of [
			['github', 'GitHub'],
			['google', 'Google'],
			['acme', 'Acme SSO']
		]) {
			expect(html).toMatch(new RegExp(`href="/auth/upstream/${id}\\?return_to=%2Faccount"[^>]*>Continue with ${name}</a>`));
		}
	});

	it('the sign-up page offers the same links', async () => {
		const html = await (await get(`${provider}/auth/signup`, HTML)).text();
		expect(html).toMatch(/href="\/auth\/upstream\/github"[^>]*>Continue with GitHub<\/a>/);
	});

	it('none when no upstream is configured (the shared server)', async () => {
		for (const path of ['/auth/login', '/auth/signup']) {
			const html = await (await get(`${servers().provider}${path}`, HTML)).text();
			expect(html).toMatch(/<h1>(Sign in|Create your account)<\/h1>/);
			expect(html).not.toContain('Continue with');
		}
	});
});

describe('without mail (SMTP_URL unset)', () => {
	let quiet: ProductionServer;
	beforeAll(async () => {
		quiet = await startProductionServer({
			port: 4526 + testPortOffset(),
			database: postgres ? 'postgres' : 'pglite',
			serve: 'provider',
			env: { ...github.env(), SMTP_URL: '' }
		});
	}, 180_000);
	afterAll(() => quiet?.stop());

	it('the linking page offers only the password; for an account without one it says it cannot be linked here', async () => {
		// Without mail nobody can sign up by email: the seeded demo user has a password.
		const withPassword = DEMO.email;
		const first = await upstreamSignIn(quiet.urls.provider, 'github', { ...uniqueAccount('quiet'), email: withPassword });
		const page = await (await get(`${quiet.urls.provider}/auth/upstream/link`, { ...HTML, cookie: linkCookieOf(first) })).text();
		expect(page).toContain('Link and sign in');
		expect(page).not.toContain('Email me a link');

		// An account GitHub created (no password), then another GitHub account with its address.
		const created = uniqueAccount('nopassword');
		expect(sessionCookieOf(await upstreamSignIn(quiet.urls.provider, 'github', created))).toBeDefined();
		const second = await upstreamSignIn(quiet.urls.provider, 'github', { ...uniqueAccount('other'), email: created.email });
		const noWay = await (await get(`${quiet.urls.provider}/auth/upstream/link`, { ...HTML, cookie: linkCookieOf(second) })).text();
		expect(noWay).not.toContain('Email me a link');
		expect(noWay).not.toContain('type="password"');
		expect(noWay).toContain('cannot be linked here');
	});
});
