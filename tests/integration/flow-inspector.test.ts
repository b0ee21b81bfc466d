// The demo sites' "What just happened" page against the production build: a real sign-in
// through site 1 (HTTP, the way a browser drives it), then what the page shows, what it never
// shows (secrets), and to whom it shows nothing (another browser, another origin, nobody).
import { describe, expect, it } from 'vitest';
import { useProductionServer } from '../support/provider-fixture';
import { DASHBOARD, DEMO, get, postForm, postJSON, servers, setCookie } from '../support/http';

const BROWSER = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
const server = useProductionServer({ port: 4550, env: { FLOW_INSPECTOR: 'true' } });

async function providerCookie(provider: string): Promise<string> {
	const response = await postJSON(`${provider}/api/auth/sign-in/email`, { email: DEMO.email, password: DEMO.password });
	expect(response.status).toBe(200);
	return `op_session=${setCookie(response, 'op_session')!.value}`;
}

/** A browser's sign-in at a site: the flow cookie out, the provider's redirect, the callback. */
async function signInToSite(urls: { provider: string; site1: string; site2?: string }, name: 'site1' | 'site2' = 'site1', opCookie?: string) {
	const site = name === 'site1' ? urls.site1 : urls.site2!;
	const start = await postForm(`${site}/auth/sign-in`, {}, BROWSER);
	expect(start.status).toBe(303);
	const flowCookie = `rp_${name}_signin=${setCookie(start, `rp_${name}_signin`)!.value}`;
	const answer = await get(start.headers.get('location')!, { cookie: opCookie ?? (await providerCookie(urls.provider)), ...BROWSER });
	expect(answer.status).toBe(302);
	const callback = new URL(answer.headers.get('location')!);
	const finished = await get(callback.href, { cookie: flowCookie, ...BROWSER });
	expect(finished.status).toBe(303);
	const session = setCookie(finished, `rp_${name}_session`);
	const inspector = setCookie(finished, `rp_${name}_inspector`);
	return {
		authorize: new URL(start.headers.get('location')!),
		callback,
		finished,
		session,
		inspector,
		cookie: `rp_${name}_session=${session?.value}; rp_${name}_inspector=${inspector?.value}`
	};
}
const signInToSite1 = (urls: { provider: string; site1: string }) => signInToSite(urls, 'site1');

const inspectorPage = async (site: string, cookie?: string) => {
	const response = await get(`${site}/inspector`, { ...(cookie ? { cookie } : {}), ...BROWSER });
	// Without Svelte's scoping classes, so the assertions read like the markup.
	const html = (await response.text()).replace(/ class="svelte-\w+"/g, '').replace(/ svelte-\w+(?=")/g, '');
	return { response, html };
};

/** The text of the step summaries, in page order (the flow's exchanges). */
function stepSummaries(html: string): string[] {
	return [...html.matchAll(/<summary[^>]*>([\s\S]*?)<\/summary>/g)].map((m) =>
		m[1]
			.replace(/<[^>]+>/g, '')
			.replace(/&gt;/g, '>')
			.replace(/\s+/g, ' ')
			.trim()
	);
}

describe('flow inspector (FLOW_INSPECTOR=true)', () => {
	it('after a sign-in, "What just happened" lists every exchange in order, the decoded ID token and each check passed with its spec', async () => {
		const { site1 } = server.urls;
		const flow = await signInToSite1(server.urls);
		expect(flow.session).toBeTruthy();
		expect(flow.inspector!.attributes.map((a) => a.toLowerCase())).toEqual(expect.arrayContaining(['httponly', 'samesite=lax', 'path=/']));
		const home = await get(`${site1}/`, { cookie: flow.cookie, ...BROWSER });
		expect(await home.text()).toContain('href="/inspector"');

		const { response, html } = await inspectorPage(site1, flow.cookie);
		expect(response.status).toBe(200);
		expect(response.headers.get('cache-control')).toBe('no-store');
		expect(html).toMatch(/<h1[^>]*>What just happened<\/h1>/);
		expect(html).toContain('<svg class="sequence');
		const steps = stepSummaries(html);
		const expected = [
			'Browser → Site: POST /auth/sign-in',
			'Site → Browser: 303 to the authorization endpoint',
			'Browser → Provider: GET /api/auth/authorize (not seen by the site)',
			'Provider → Browser: 302 back to the redirect_uri (not seen by the site)',
			'Browser → Site: GET /auth/callback',
			'Site → Provider: POST /api/auth/token',
			'Provider → Site: 200 tokens'
		];
		expect(steps.slice(0, expected.length)).toEqual(expected);
		// A fresh server: the site had no keys yet, so it fetched the JWKS (cache miss).
		expect(steps.slice(expected.length)).toEqual(['Site → Provider: GET /api/auth/jwks', 'Provider → Site: 200 JWKS', 'Site → Browser: 303 to /']);
		// Each authorization request parameter is listed with what it is for.
		for (const parameter of ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'code_challenge', 'code_challenge_method', 'nonce']) {
			expect(html, parameter).toContain(`<code>${parameter}</code>`);
		}
		// The ID token, decoded, claims in order, and raw for copying.
		const raw = html.match(/<textarea[^>]*>([^<]+)<\/textarea>/)?.[1];
		expect(raw).toMatch(/^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+$/);
		const payloadTable = html.slice(html.indexOf('<caption>Payload (claims)</caption>'));
		const claimOrder = ['iss', 'sub', 'aud', 'exp', 'iat', 'auth_time', 'amr', 'nonce', 'at_hash', 'sid', 'name', 'email'].map((c) =>
			payloadTable.indexOf(`<th scope="row"><code>${c}</code></th>`)
		);
		expect(claimOrder.every((index) => index > 0)).toBe(true);
		expect([...claimOrder].sort((a, b) => a - b)).toEqual(claimOrder);
		// Each check, passed, with the spec it comes from.
		for (const [check, spec] of [
			['state is the one this browser sent', 'RFC 6749 §10.12'],
			['iss in the redirect is the provider', 'RFC 9207 §2.4'],
			['PKCE: the code is redeemed with its code_verifier', 'RFC 7636'],
			['alg is one the site allows', 'OIDC Core §3.1.3.7 item 7'],
			['Signature verifies with that key', 'OIDC Core §3.1.3.7 item 6'],
			['iss is the provider', 'OIDC Core §3.1.3.7 item 2'],
			['aud names this site', 'OIDC Core §3.1.3.7 item 3'],
			['Not expired (exp, with clock skew)', 'OIDC Core §3.1.3.7 item 9'],
			['nonce is the one this sign-in sent', 'OIDC Core §3.1.3.7 item 11'],
			['at_hash matches the access token', 'OIDC Core §3.1.3.6']
		]) {
			const row = html.match(new RegExp(`<tr class="result-(\\S+)"><th scope="row">${check.replace(/[()]/g, '\\$&')}<br[^>]*>[\\s\\S]*?</tr>`));
			expect(row, check).toBeTruthy();
			expect(row![1], check).toBe('passed');
			expect(row![0], check).toContain(spec);
		}
		expect(html).toMatch(/kid = [^<]+ → \w+ key/);
	});

	it('never shows the client secret, the authorization code, the PKCE verifier or the access token', async () => {
		const flow = await signInToSite1(server.urls);
		const { html } = await inspectorPage(server.urls.site1, flow.cookie);
		expect(html).not.toContain(DASHBOARD.secret);
		expect(html).toContain('(hidden, ');
		const code = flow.callback.searchParams.get('code')!;
		expect(html).toContain(code.slice(0, 6));
		expect(html).not.toContain(code);
		expect(html).not.toContain(flow.authorize.searchParams.get('state')!);
		// (The nonce is in the ID token, which the page shows decoded: it is spent by now.)
		// The access token is shown as a prefix with its length; the only JWT on the page is the ID token.
		expect(html).toMatch(/<code>access_token<\/code><\/th><td><code class="value">[^<]{6}… \(redacted, \d+ characters\)<\/code>/);
		const raw = html.match(/<textarea[^>]*>([^<]+)<\/textarea>/)![1];
		const jwts = new Set(html.match(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/g));
		expect([...jwts]).toEqual([raw]);
		expect(html).not.toMatch(/refresh_token<\/code><\/th><td><code class="value">(?![^<]{6}… \(redacted)/);
	});

	it('another browser (another site session, or none) sees nothing of it', async () => {
		const mine = await signInToSite1(server.urls);
		const theirs = await signInToSite1(server.urls);
		const myPage = await inspectorPage(server.urls.site1, mine.cookie);
		const theirPage = await inspectorPage(server.urls.site1, theirs.cookie);
		const myToken = myPage.html.match(/<textarea[^>]*>([^<]+)<\/textarea>/)![1];
		expect(theirPage.html).not.toContain(myToken);
		// Only the session cookie, not the inspector cookie: the log is not readable through anything else.
		const sessionOnly = await inspectorPage(server.urls.site1, `rp_site1_session=${mine.session!.value}`);
		expect(sessionOnly.html).toContain('Nothing recorded for this browser yet');
		expect(sessionOnly.html).not.toContain(myToken);
		const nobody = await inspectorPage(server.urls.site1);
		expect(nobody.html).toContain('Nothing recorded for this browser yet');
		// A guessed or tampered secret.
		const [id] = mine.inspector!.value.split('.');
		const forged = await inspectorPage(server.urls.site1, `rp_site1_inspector=${id}.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa`);
		expect(forged.html).not.toContain(myToken);
	});

	it("the other origin cannot see it: site 2 (same host, other port) shows nothing for site 1's cookies, under either name", async () => {
		const mine = await signInToSite1(server.urls);
		const myToken = (await inspectorPage(server.urls.site1, mine.cookie)).html.match(/<textarea[^>]*>([^<]+)<\/textarea>/)![1];
		const value = mine.inspector!.value;
		for (const cookie of [mine.cookie, `rp_site2_inspector=${value}`]) {
			const { html } = await inspectorPage(server.urls.site2, cookie);
			expect(html).toContain('Nothing recorded for this browser yet');
			expect(html).not.toContain(myToken);
		}
		// And the provider origin does not serve the page at all.
		expect((await get(`${server.urls.provider}/inspector`, { cookie: mine.cookie, ...BROWSER })).status).toBe(404);
	});

	it('a failed sign-in (forged state) is recorded too: the state check failed and nothing after it ran', async () => {
		const start = await postForm(`${server.urls.site1}/auth/sign-in`, {}, BROWSER);
		const flowCookie = `rp_site1_signin=${setCookie(start, 'rp_site1_signin')!.value}`;
		const failed = await get(`${server.urls.site1}/auth/callback?code=abc&state=forged&iss=${encodeURIComponent(server.urls.provider)}`, {
			cookie: flowCookie,
			...BROWSER
		});
		const failedHTML = await failed.text();
		expect(failedHTML).toContain('Sign-in failed');
		expect(failedHTML).toContain('href="/inspector"');
		expect(setCookie(failed, 'rp_site1_session')).toBeUndefined();
		const { html } = await inspectorPage(server.urls.site1, `rp_site1_inspector=${setCookie(failed, 'rp_site1_inspector')!.value}`);
		expect(html).toMatch(/<tr class="result-failed"><th scope="row">state is the one this browser sent/);
		expect(html).not.toContain('POST /api/auth/token');
	});

	it('a forged callback sent to a signed-in browser (a cross-site link) cannot wipe its record: the failure is added on top', async () => {
		const flow = await signInToSite1(server.urls);
		const forged = await get(`${server.urls.site1}/auth/callback?code=attacker-code&state=attacker-state&iss=${encodeURIComponent(server.urls.provider)}`, {
			cookie: flow.cookie,
			...BROWSER
		});
		// Signed in already: the browser lands on the site with a notice, and nothing changed.
		expect(forged.status).toBe(303);
		expect(forged.headers.get('location')).toBe('/?notice=sign-in-not-pending');
		expect(setCookie(forged, 'rp_site1_session')).toBeUndefined();
		expect(setCookie(forged, 'rp_site1_inspector')).toBeUndefined();
		const { html } = await inspectorPage(server.urls.site1, flow.cookie);
		expect(html).toMatch(/<h2 id="flow-0-heading">Sign-in <span class="outcome outcome-failed">/);
		expect(html).toMatch(/<h3 id="flow-1-heading">Sign-in <span class="outcome outcome-succeeded">/);
	});

	it('"Sign out of Internal Dashboard" deletes the sign-in\'s record and shows the sign-out instead', async () => {
		const flow = await signInToSite1(server.urls);
		const out = await postForm(`${server.urls.site1}/auth/sign-out`, {}, { cookie: flow.cookie, ...BROWSER });
		expect(out.status).toBe(303);
		const { html } = await inspectorPage(server.urls.site1, `rp_site1_inspector=${flow.inspector!.value}`);
		expect(stepSummaries(html)).toEqual(['Browser → Site: POST /auth/sign-out', 'Site → Browser: 303 to /']);
		expect(html).not.toContain('<textarea');
	});
});

describe('flow inspector: API call, RP-initiated and back-channel logout', () => {
	it('"Call this site\'s API" is recorded for the calling browser: the session JWT decoded, typ and signature checks, the bearer token redacted', async () => {
		const { provider, site1 } = server.urls;
		const opCookie = await providerCookie(provider);
		const flow = await signInToSite(server.urls, 'site1', opCookie);
		const sessionJWT = ((await (await get(`${provider}/api/auth/token`, { cookie: opCookie })).json()) as { token: string }).token;
		const call = await get(`${site1}/api/whoami`, { authorization: `Bearer ${sessionJWT}`, cookie: flow.cookie });
		expect(call.status).toBe(200);
		const { html } = await inspectorPage(site1, flow.cookie);
		expect(html).toMatch(/<h2 id="flow-0-heading">Call this site's API/);
		expect(html).not.toContain(sessionJWT);
		expect(html).toMatch(/<tr class="result-passed"><th scope="row">typ is JWT/);
		expect(html).toMatch(/<tr class="result-passed"><th scope="row">Signature verifies with that key/);
		// The sign-in is still there, below.
		expect(html).toMatch(/<h3 id="flow-1-heading">Sign-in/);
		// Without the browser's inspector cookie (curl, another server) the call leaves nothing behind.
		const before = (await inspectorPage(site1, flow.cookie)).html.match(/id="flow-\d+-heading"/g)!.length;
		expect((await get(`${site1}/api/whoami`, { authorization: `Bearer ${sessionJWT}` })).status).toBe(200);
		expect((await inspectorPage(site1, flow.cookie)).html.match(/id="flow-\d+-heading"/g)!.length).toBe(before);
	});

	it(
		'"Sign out everywhere" at site 1 shows the RP-initiated logout, then site 1\'s own back-channel call; ' +
			"site 2 shows the back-channel logout with the logout token's checks",
		async () => {
			const { provider, site1, site2 } = server.urls;
			const opCookie = await providerCookie(provider);
			const one = await signInToSite(server.urls, 'site1', opCookie);
			const two = await signInToSite(server.urls, 'site2', opCookie);
			const everywhere = await postForm(`${site1}/auth/sign-out-everywhere`, {}, { cookie: one.cookie, ...BROWSER });
			const endSession = new URL(everywhere.headers.get('location')!);
			const back = await get(endSession.href, { cookie: opCookie, ...BROWSER });
			expect(back.headers.get('location')).toBe(`${site1}/`);

			const page1 = (await inspectorPage(site1, `rp_site1_inspector=${one.inspector!.value}`)).html;
			expect(page1).toMatch(/<h2 id="flow-0-heading">Back-channel logout/);
			expect(page1).toMatch(/<h3 id="flow-1-heading">Sign-out everywhere \(RP-initiated logout\)/);
			expect(page1).not.toContain(endSession.searchParams.get('id_token_hint')!);
			// The sign-in's record went with the session.
			expect(page1).not.toMatch(/id="flow-\d-heading">Sign-in /);

			const page2 = (await inspectorPage(site2, `rp_site2_inspector=${two.inspector!.value}`)).html;
			expect(stepSummaries(page2)[0]).toBe('Provider → Site: POST /auth/backchannel-logout');
			for (const check of [
				'typ is logout+jwt',
				'events contains the back-channel logout event',
				'No nonce claim',
				'jti not seen before (replay)',
				'Signature verifies with that key'
			]) {
				expect(page2, check).toMatch(new RegExp(`<tr class="result-passed"><th scope="row">${check.replace(/[()+]/g, '\\$&')}`));
			}
			expect(page2).toContain('Back-Channel Logout 1.0 §2.6');
			expect(page2).toContain('<caption>Payload (claims)</caption>');
			// Site 2's home page (signed out by the provider) points to what happened.
			const home2 = await (await get(`${site2}/`, { cookie: two.cookie, ...BROWSER })).text();
			expect(home2).toContain('Sign in with SSO');
			expect(home2).toContain('href="/inspector"');
		}
	);
});

describe('flow inspector off (FLOW_INSPECTOR unset in production)', () => {
	it('records nothing at sign-in and the page says how to turn it on', async () => {
		const { provider, site1 } = servers();
		const flow = await signInToSite1({ provider, site1 });
		expect(flow.session).toBeTruthy();
		expect(flow.inspector).toBeUndefined();
		const { response, html } = await inspectorPage(site1, `rp_site1_session=${flow.session!.value}`);
		expect(response.status).toBe(200);
		expect(html).toContain('The flow inspector is off on this server');
		expect(html).toContain('FLOW_INSPECTOR=true');
		expect(html).not.toContain('<svg class="sequence');
	});
});
