// Sign-in through GitHub, Google and other OpenID providers, from the attacker's side, against
// the production build with local fakes that speak the real protocols (fake-upstreams.js):
// login CSRF, replayed codes, forged or misdirected ID tokens, and account takeover through an
// upstream account that carries the victim's address. Failures must be clear pages, never 500s,
// and the upstream's tokens must never reach the database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confirmSignUpLink, postForm, postJSON } from '../support/http';
import { readMail, mailTo } from '../support/mail-sink';
import { databaseText } from '../support/database-text';
import { startProductionServer, testPortOffset, type ProductionServer } from '../support/production-server';
import {
	answerConsent,
	HTML,
	linkCookieOf,
	openCallback,
	sessionCookieOf,
	startFakeGitHub,
	startFakeOIDC,
	startUpstreamSignIn,
	uniqueAccount,
	upstreamSignIn,
	type FakeGitHub,
	type FakeOIDC
} from '../support/upstream-flow';

const postgres = process.env.TEST_DB === 'postgres';
let server: ProductionServer;
let provider: string;
let github: FakeGitHub;
let google: FakeOIDC;
let acme: FakeOIDC;

beforeAll(async () => {
	[github, google, acme] = await Promise.all([startFakeGitHub(), startFakeOIDC(), startFakeOIDC({ title: 'Acme SSO', clientId: 'acme-client' })]);
	server = await startProductionServer({
		port: 4520 + testPortOffset(),
		database: postgres ? 'postgres' : 'pglite',
		serve: 'provider',
		env: {
			...github.env(),
			...google.googleEnv(),
			// A generic provider, and one whose discovery document cannot be fetched (nothing listens on port 9).
			UPSTREAM_OIDC: JSON.stringify([
				acme.genericEntry('acme', 'Acme SSO'),
				{ id: 'gone', name: 'Gone SSO', issuer: 'http://127.0.0.1:9', client_id: 'x', client_secret: 'y' }
			]),
			UPSTREAM_TIMEOUT_SECONDS: '2'
		}
	});
	provider = server.urls.provider;
}, 180_000);
afterAll(async () => {
	await server?.stop();
	await Promise.all([github?.close(), google?.close(), acme?.close()]);
});

/** A styled error page (not the framework's 500) saying `message`, with a way back to sign-in. */
async function expectFailurePage(response: Response, status: number, message: RegExp, returnTo?: string) {
	const html = await response.text();
	expect(response.status, html.slice(0, 500)).toBe(status);
	expect(response.headers.get('content-type')).toMatch(/^text\/html/);
	expect(html).toContain('<h1>Sign-in not completed</h1>');
	expect(html.replaceAll('&#39;', "'").replaceAll('&quot;', '"')).toMatch(message);
	expect(html).toContain(returnTo ? `href="/auth/login?return_to=${encodeURIComponent(returnTo).replaceAll('&', '&amp;')}"` : 'href="/auth/login"');
	expect(sessionCookieOf(response)).toBeUndefined();
}

/** The victim's own account, made the way a person makes one: sign-up and the mailed link. */
async function signUpWithPassword(email: string, password = 'victim passphrase 42') {
	const response = await postJSON(`${provider}/api/auth/sign-up/email`, { email, password, name: 'Victim' });
	expect(response.status).toBe(202);
	await confirmSignUpLink(provider, server.mail!.dir, email);
	return { email, password };
}

/**
 * Whether no account has this address. Sign-up answers the same either way (it must not
 * reveal who has an account), but the mailbox learns it: a free address gets a confirmation
 * link, a taken one a note that someone tried.
 */
async function addressIsFree(email: string): Promise<boolean> {
	const seen = await mailTo(server.mail!.dir, email);
	const response = await postJSON(`${provider}/api/auth/sign-up/email`, { email, password: 'probe passphrase 42', name: 'Probe' });
	expect(response.status).toBe(202);
	const mail = await readMail(server.mail!.dir, email, { seen });
	return /^Confirm your email address/.test(mail.subject);
}

describe('login CSRF (RFC 6749 §10.12): a callback is only accepted in the browser that started the flow', () => {
	it("the attacker's callback URL opened in the victim's browser signs nobody in and its code is never redeemed", async () => {
		const attacker = uniqueAccount('attacker');
		const { upstreamURL } = await startUpstreamSignIn(provider, 'github');
		const callback = await answerConsent(upstreamURL, attacker);
		const code = new URL(callback).searchParams.get('code')!;
		// The victim has no flow cookie at all ...
		await expectFailurePage(await openCallback(callback), 400, /was not started in this browser/);
		// ... or a flow of their own, whose state differs.
		const victim = await startUpstreamSignIn(provider, 'github', '/account');
		await expectFailurePage(await openCallback(callback, victim.flowCookie), 400, /was not started in this browser/, '/account');
		expect(github.redeemed).not.toContain(code);
		// The attacker's upstream account got no account here either.
		expect(await addressIsFree(attacker.email)).toBe(true);
	});

	it('a callback without state is refused even with a flow cookie', async () => {
		const { upstreamURL, flowCookie } = await startUpstreamSignIn(provider, 'github');
		const callback = new URL(await answerConsent(upstreamURL, uniqueAccount('nostate')));
		callback.searchParams.delete('state');
		await expectFailurePage(await openCallback(callback.href, flowCookie), 400, /was not started in this browser/);
	});

	it('the flow cookie is httpOnly, SameSite=Lax, scoped to the callback and short-lived', async () => {
		const response = await fetch(`${provider}/auth/upstream/github`, { headers: HTML, redirect: 'manual' });
		const raw = response.headers.getSetCookie().find((c) => c.startsWith('op_upstream_flow='))!;
		expect(raw).toMatch(/; HttpOnly/i);
		expect(raw).toMatch(/; SameSite=Lax/i);
		expect(raw).toMatch(/; Path=\/auth\/upstream\/github\/callback/i);
		expect(raw).toMatch(/; Max-Age=600/i);
		// The state is random per flow (RFC 6749 §10.12), and PKCE S256 is used (RFC 7636).
		const location = new URL(response.headers.get('location')!);
		expect(location.searchParams.get('state')!.length).toBeGreaterThanOrEqual(32);
		expect(location.searchParams.get('code_challenge_method')).toBe('S256');
		expect(location.searchParams.get('redirect_uri')).toBe(`${provider}/auth/upstream/github/callback`);
	});
});

describe('codes and ID tokens', () => {
	it('a replayed callback (same code, same cookie) is refused by the upstream and signs nobody in', async () => {
		const { upstreamURL, flowCookie } = await startUpstreamSignIn(provider, 'github');
		const callback = await answerConsent(upstreamURL, uniqueAccount('replay'));
		const first = await openCallback(callback, flowCookie);
		expect(first.status).toBe(303);
		expect(sessionCookieOf(first)).toBeDefined();
		await expectFailurePage(await openCallback(callback, flowCookie), 400, /did not accept the sign-in/);
	});

	it.each([
		['a nonce from another request', { nonce: 'someone-elses-nonce' }],
		['another audience', { aud: 'some-other-client' }],
		['another issuer', { iss: 'https://evil.example' }],
		['an expired token', { expired: true }],
		['a signature by another key', { badSignature: true }]
	])('an ID token with %s is refused (OIDC Core §3.1.3.7) and creates no account', async (_, tamper) => {
		const account = uniqueAccount('idtoken');
		google.behaviour.idToken = tamper;
		try {
			await expectFailurePage(await upstreamSignIn(provider, 'google', account), 502, /could not be verified/);
		} finally {
			google.behaviour.idToken = undefined;
		}
		expect(await addressIsFree(account.email)).toBe(true);
	});

	it('the same ID token, untampered, signs in (the fake is not simply broken)', async () => {
		const response = await upstreamSignIn(provider, 'google', uniqueAccount('control'));
		expect(response.status).toBe(303);
		expect(sessionCookieOf(response)).toBeDefined();
	});
});

describe('account takeover through an upstream account carrying the victim’s address', () => {
	it('an unverified copy of the address never signs in, links, creates or verifies anything', async () => {
		const victim = await signUpWithPassword(`victim-${Date.now().toString(36)}@example.com`);
		const attacker = { ...uniqueAccount('impostor', false), email: victim.email };
		await expectFailurePage(await upstreamSignIn(provider, 'github', attacker), 403, /did not confirm an email address/);
		await expectFailurePage(await upstreamSignIn(provider, 'google', attacker), 403, /did not confirm an email address/);
		// A generic provider's email_verified that is neither true nor "true" counts as unverified.
		for (const verified of ['false', 'yes', 'True', '1']) {
			await expectFailurePage(await upstreamSignIn(provider, 'acme', { ...attacker, verified }), 403, /did not confirm an email address/);
		}
		// Not linked: once the same upstream accounts do verify the address, they still need proof.
		const later = await upstreamSignIn(provider, 'github', { ...attacker, verified: true });
		expect(later.status).toBe(303);
		expect(later.headers.get('location')).toBe('/auth/upstream/link');
		// A new address is not created either.
		const fresh = uniqueAccount('unverified', false);
		await expectFailurePage(await upstreamSignIn(provider, 'github', fresh), 403, /did not confirm an email address/);
		expect(await addressIsFree(fresh.email)).toBe(true);
	});

	it('a verified copy links nothing and signs nobody in without proof; a wrong password proves nothing', async () => {
		const victim = await signUpWithPassword(`victim-${Date.now().toString(36)}@example.com`);
		const attacker = { ...uniqueAccount('verified-impostor'), email: victim.email };
		const response = await upstreamSignIn(provider, 'github', attacker);
		expect(response.status).toBe(303);
		expect(response.headers.get('location')).toBe('/auth/upstream/link');
		expect(sessionCookieOf(response)).toBeUndefined();
		const cookie = linkCookieOf(response);
		const page = await fetch(`${provider}/auth/upstream/link`, { headers: { ...HTML, cookie } });
		expect(page.status).toBe(200);
		expect(await page.text()).toContain('An account with the address <strong>' + victim.email + '</strong> already exists');
		const wrong = await postForm(`${provider}/auth/upstream/link?/password`, { password: 'not the password' }, { cookie });
		expect(wrong.status).toBe(400);
		expect(sessionCookieOf(wrong)).toBeUndefined();
		// Still not linked.
		const again = await upstreamSignIn(provider, 'github', attacker);
		expect(again.headers.get('location')).toBe('/auth/upstream/link');
		expect(sessionCookieOf(again)).toBeUndefined();
		// The pending link cannot be used without its cookie, nor with a forged one.
		for (const forged of [undefined, 'op_upstream_link=%7B%22token%22%3A%22aaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbb%22%7D']) {
			const answer = await postForm(
				`${provider}/auth/upstream/link?/password`,
				{ password: victim.password },
				forged ? { cookie: forged, accept: 'text/html' } : { accept: 'text/html' }
			);
			expect(answer.status).toBe(400);
			expect(sessionCookieOf(answer)).toBeUndefined();
		}
	});

	it('the right password links the upstream account to the victim’s account (the owner’s own proof)', async () => {
		const owner = await signUpWithPassword(`owner-${Date.now().toString(36)}@example.com`);
		const account = { ...uniqueAccount('owner'), email: owner.email };
		const cookie = linkCookieOf(await upstreamSignIn(provider, 'github', account, '/account'));
		const proof = await postForm(`${provider}/auth/upstream/link?/password`, { password: owner.password }, { cookie });
		expect(proof.status).toBe(303);
		expect(proof.headers.get('location')).toBe('/account');
		expect(sessionCookieOf(proof)).toBeDefined();
		const next = await upstreamSignIn(provider, 'github', account);
		expect(next.status).toBe(303);
		expect(next.headers.get('location')).toBe('/account');
		expect(sessionCookieOf(next)).toBeDefined();
	});

	it('the mailed link works once, only in the browser that asked, and links only the identity it was issued for', async () => {
		const victim = await signUpWithPassword(`mailed-${Date.now().toString(36)}@example.com`);
		const mine = { ...uniqueAccount('mine'), email: victim.email };
		const theirs = { ...uniqueAccount('theirs'), email: victim.email };
		const myCookie = linkCookieOf(await upstreamSignIn(provider, 'github', mine));
		const theirCookie = linkCookieOf(await upstreamSignIn(provider, 'github', theirs));
		const before = await mailTo(server.mail!.dir, victim.email);
		const ask = await postForm(`${provider}/auth/upstream/link?/email`, {}, { cookie: myCookie });
		expect(ask.status).toBe(303);
		const mail = await readMail(server.mail!.dir, victim.email, { subject: /Link your GitHub account/, seen: before });
		const link = mail.links.find((l) => l.includes('/auth/upstream/link/confirm'))!;
		expect(link.startsWith(`${provider}/auth/upstream/link/confirm?token=`)).toBe(true);
		const token = new URL(link).searchParams.get('token')!;
		// Opening the link changes nothing (mail scanners open links).
		const view = await fetch(link, { headers: HTML });
		expect(view.status).toBe(200);
		expect(sessionCookieOf(view)).toBeUndefined();
		// Another browser: without the pending cookie, or with another pending link's cookie.
		for (const cookie of [undefined, theirCookie]) {
			const refused = await postForm(`${provider}/auth/upstream/link/confirm?token=${encodeURIComponent(token)}`, { token }, cookie ? { cookie } : {});
			expect(refused.status).toBe(400);
			expect(await refused.text()).toContain('Open this link in the browser where you started signing in');
			expect(sessionCookieOf(refused)).toBeUndefined();
		}
		const confirmed = await postForm(`${provider}/auth/upstream/link/confirm?token=${encodeURIComponent(token)}`, { token }, { cookie: myCookie });
		expect(confirmed.status).toBe(303);
		expect(sessionCookieOf(confirmed)).toBeDefined();
		const replay = await postForm(`${provider}/auth/upstream/link/confirm?token=${encodeURIComponent(token)}`, { token }, { cookie: myCookie });
		expect(replay.status).toBe(400);
		expect(sessionCookieOf(replay)).toBeUndefined();
		// Only "mine" was linked: "theirs" still needs proof.
		expect(sessionCookieOf(await upstreamSignIn(provider, 'github', mine))).toBeDefined();
		const other = await upstreamSignIn(provider, 'github', theirs);
		expect(other.headers.get('location')).toBe('/auth/upstream/link');
		expect(sessionCookieOf(other)).toBeUndefined();
	});
});

describe('upstream failures are clear pages with a way back, never a 500', () => {
	it('cancelling at the upstream (access_denied) says so and keeps return_to', async () => {
		await expectFailurePage(await upstreamSignIn(provider, 'github', 'deny', '/account'), 400, /You cancelled signing in with GitHub/, '/account');
	});

	it('an upstream that drops the connection or answers 503: 502 page', async () => {
		for (const failure of ['reset', 503] as const) {
			github.behaviour.tokenFailure = failure;
			try {
				await expectFailurePage(await upstreamSignIn(provider, 'github', uniqueAccount('down')), 502, /GitHub (could not be reached|is having problems)/);
			} finally {
				github.behaviour.tokenFailure = undefined;
			}
		}
	});

	it('an upstream slower than UPSTREAM_TIMEOUT_SECONDS: 504 page', async () => {
		github.behaviour.tokenDelayMs = 4000;
		try {
			await expectFailurePage(await upstreamSignIn(provider, 'github', uniqueAccount('slow')), 504, /GitHub did not answer in time/);
		} finally {
			github.behaviour.tokenDelayMs = undefined;
		}
		github.behaviour.apiDelayMs = 4000;
		try {
			await expectFailurePage(await upstreamSignIn(provider, 'github', uniqueAccount('slow-api')), 504, /GitHub did not answer in time/);
		} finally {
			github.behaviour.apiDelayMs = undefined;
		}
	});

	it('an OpenID provider whose discovery cannot be fetched: 502 page before leaving the provider', async () => {
		const response = await fetch(`${provider}/auth/upstream/gone?return_to=%2Faccount`, { headers: HTML, redirect: 'manual' });
		await expectFailurePage(response, 502, /Gone SSO could not be reached/, '/account');
	});

	it('an unknown upstream id: 404 page', async () => {
		await expectFailurePage(await fetch(`${provider}/auth/upstream/nope`, { headers: HTML, redirect: 'manual' }), 404, /does not offer that way of signing in/);
		await expectFailurePage(
			await fetch(`${provider}/auth/upstream/nope/callback?code=x&state=y`, { headers: HTML, redirect: 'manual' }),
			404,
			/does not offer that way of signing in/
		);
	});
});

describe('malformed input gets a clear answer, never a 500', () => {
	it('callbacks with odd queries and cookies', async () => {
		const { flowCookie } = await startUpstreamSignIn(provider, 'github');
		const cases: [string, string | undefined][] = [
			[`code=${'x'.repeat(6000)}&state=${'y'.repeat(4000)}`, flowCookie],
			['code=a&code=b&state=s&state=t', flowCookie],
			['code=%00&state=%FF%FE', flowCookie],
			['error=%3Cscript%3Ealert(1)%3C%2Fscript%3E&state=x', undefined],
			['code=a&state=b', 'op_upstream_flow=%7Bnot%20json'],
			['code=a&state=b', 'op_upstream_flow=%7B%22flow%22%3A%7B%22state%22%3A5%7D%7D']
		];
		for (const [query, cookie] of cases) {
			const response = await openCallback(`${provider}/auth/upstream/github/callback?${query}`, cookie);
			const html = await response.text();
			// 400 for what the browser brought; 502 for an error the upstream reported.
			expect([400, 502], query.slice(0, 80)).toContain(response.status);
			expect(html).toContain('Sign-in not completed');
			expect(html).not.toContain('<script>alert(1)');
		}
	});

	it('the linking pages with missing, forged or garbage tokens', async () => {
		for (const token of ['', 'garbage', 'aaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbb', 'x'.repeat(5000)]) {
			const view = await fetch(`${provider}/auth/upstream/link/confirm?token=${encodeURIComponent(token)}`, { headers: HTML });
			expect(view.status).toBe(400);
			expect(await view.text()).toContain('This link has expired or was already used');
			const post = await postForm(`${provider}/auth/upstream/link/confirm?token=${encodeURIComponent(token)}`, { token });
			expect(post.status).toBe(400);
			expect(sessionCookieOf(post)).toBeUndefined();
		}
		const page = await fetch(`${provider}/auth/upstream/link`, { headers: { ...HTML, cookie: 'op_upstream_link=%%%' } });
		expect(page.status).toBe(400);
		expect(await page.text()).toContain('This request to link an account has expired');
	});
});

describe('upstream tokens are not stored', () => {
	it('no access token the fakes issued appears anywhere in the database', async () => {
		const account = uniqueAccount('tokens');
		expect((await upstreamSignIn(provider, 'github', account)).status).toBe(303);
		expect((await upstreamSignIn(provider, 'google', uniqueAccount('tokens-g'))).status).toBe(303);
		const dump = await databaseText(server);
		// The scan sees what is stored (the new account's address) ...
		expect(dump).toContain(account.email);
		// ... and no upstream access token.
		expect(github.leakedAccessToken(dump)).toBe(false);
		expect(google.leakedAccessToken(dump)).toBe(false);
	});
});
