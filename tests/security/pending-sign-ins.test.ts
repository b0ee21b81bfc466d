// Attacker's side of the demo sites' pending sign-ins (keyed by state, several per browser) and
// of the provider's repeated sign-in submissions.
//  - Login CSRF (RFC 6749 §10.12, RFC 9700 §4.7): the attacker starts a sign-in in their own
//    browser, signs in as themselves, and sends the victim the callback link (their code and
//    state). The victim's browser, which has pending sign-ins of its own, must refuse it.
//  - Replay: a callback used once (or a copy of the old flow cookie) signs nobody in again.
//  - A planted flow cookie (a sibling host, plain http): without the site's seal it is no flow.
//  - A burst of identical sign-in POSTs (a double click without JavaScript) leaves one session.
import { describe, expect, it } from 'vitest';
import { cookieHeader, DEMO, get, postForm, servers, setCookie, signIn, signUp } from '../support/http';

const { provider, site1 } = servers();
const BROWSER = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
const FLOW = 'rp_site1_signin';

/** "Sign in with SSO" in a browser holding `flowCookie` (or none): the authorization URL and the browser's new flow cookie. */
async function startSignIn(flowCookie?: string) {
	const start = await postForm(`${site1}/auth/sign-in`, {}, { ...BROWSER, ...(flowCookie ? { cookie: flowCookie } : {}) });
	expect(start.status).toBe(303);
	return { authorize: new URL(start.headers.get('location')!), flowCookie: cookieHeader(start, FLOW) };
}

/** The provider's answer for a signed-in user: the callback URL with a code and the request's state. */
async function callbackFor(authorize: URL, providerCookie: string): Promise<URL> {
	const answer = await get(authorize.href, { cookie: providerCookie, ...BROWSER });
	expect(answer.status).toBe(302);
	return new URL(answer.headers.get('location')!);
}

/** The flow cookie the browser holds after `response` (deleted → none). */
function flowCookieAfter(response: Response, before: string): string | undefined {
	const set = setCookie(response, FLOW);
	if (!set) return before;
	return set.value ? `${FLOW}=${set.value}` : undefined;
}

describe('pending sign-ins on a demo site', () => {
	it("the attacker's callback (their code and state) is refused in the victim's browser, whose own sign-in still finishes", async () => {
		const attackerProvider = await signIn();
		const attacker = await startSignIn();
		const attackerCallback = await callbackFor(attacker.authorize, attackerProvider);

		const victim = await startSignIn();
		const forged = await get(attackerCallback.href, { cookie: victim.flowCookie, ...BROWSER });
		expect(forged.status).toBe(200);
		expect(await forged.text()).toContain('Sign-in failed');
		expect(setCookie(forged, 'rp_site1_session')).toBeUndefined();

		// The refused callback used up nothing of the victim's.
		const victimCookie = flowCookieAfter(forged, victim.flowCookie)!;
		const victimCallback = await callbackFor(victim.authorize, await signIn());
		const finished = await get(victimCallback.href, { cookie: victimCookie, ...BROWSER });
		expect(finished.status).toBe(303);
		expect(setCookie(finished, 'rp_site1_session')?.value).toBeTruthy();
	});

	it('two sign-ins started in one browser both finish, in either order, each once', async () => {
		const first = await startSignIn();
		const second = await startSignIn(first.flowCookie);
		const providerCookie = await signIn();
		const firstCallback = await callbackFor(first.authorize, providerCookie);
		const secondCallback = await callbackFor(second.authorize, providerCookie);

		const secondDone = await get(secondCallback.href, { cookie: second.flowCookie, ...BROWSER });
		expect(secondDone.status).toBe(303);
		const afterSecond = flowCookieAfter(secondDone, second.flowCookie)!;
		const firstDone = await get(firstCallback.href, { cookie: afterSecond, ...BROWSER });
		expect(firstDone.status).toBe(303);
		expect(setCookie(firstDone, 'rp_site1_session')?.value).toBeTruthy();
		// Nothing is left pending: the flow cookie is gone.
		expect(flowCookieAfter(firstDone, afterSecond)).toBeUndefined();

		// Replayed with the cookie the browser now holds: no flow, not signed in.
		const replay = await get(firstCallback.href, { ...BROWSER });
		expect(await replay.text()).toContain('Sign-in failed');
		expect(setCookie(replay, 'rp_site1_session')).toBeUndefined();
	});

	it('a replay with a copy of the old flow cookie finds the flow, but the code is spent: nobody is signed in', async () => {
		const flow = await startSignIn();
		const callback = await callbackFor(flow.authorize, await signIn());
		expect((await get(callback.href, { cookie: flow.flowCookie, ...BROWSER })).status).toBe(303);
		const replay = await get(callback.href, { cookie: flow.flowCookie, ...BROWSER });
		expect(replay.status).toBe(200);
		expect(await replay.text()).toContain('Sign-in failed');
		expect(setCookie(replay, 'rp_site1_session')).toBeUndefined();
	});

	it("a flow cookie altered or made up (without the site's seal) is no flow, even with the attacker's real verifier", async () => {
		const attacker = await startSignIn();
		const callback = await callbackFor(attacker.authorize, await signIn());
		// The attacker can read their own cookie (it is sealed, not encrypted): its state, nonce and verifier are theirs.
		const [body, tag] = attacker.flowCookie.slice(FLOW.length + 1).split('.');
		const [[state, nonce, verifier, , createdAt]] = JSON.parse(Buffer.from(body, 'base64url').toString()) as [string, string, string, string, number][];
		const edited = Buffer.from(JSON.stringify([[state, nonce, verifier, '/inspector', createdAt]])).toString('base64url');
		const planted = [`${body}.${tag.slice(0, -4)}AAAA`, `${edited}.${tag}`, body, `${state}.${nonce}.${verifier}`];
		for (const value of planted) {
			const response = await get(callback.href, { cookie: `${FLOW}=${value}`, ...BROWSER });
			expect(await response.text(), value).toContain('Sign-in failed');
			expect(setCookie(response, 'rp_site1_session')).toBeUndefined();
		}
		// The unaltered cookie does finish (so the refusals above are the seal's doing).
		const genuine = await get(callback.href, { cookie: attacker.flowCookie, ...BROWSER });
		expect(setCookie(genuine, 'rp_site1_session')?.value).toBeTruthy();
	});

	it('a sign-in started on one demo site cannot be finished on the other (each site seals with its own key)', async () => {
		const flow = await startSignIn();
		const callback = await callbackFor(flow.authorize, await signIn());
		const { site2 } = servers();
		const onSite2 = new URL(`${site2}/auth/callback${callback.search}`);
		const response = await get(onSite2.href, { cookie: `rp_site2_signin=${flow.flowCookie.split('=')[1]}`, ...BROWSER });
		expect(await response.text()).toContain('Sign-in failed');
		expect(setCookie(response, 'rp_site2_session')).toBeUndefined();
	});

	it('the return path kept with a flow stays on the site: an absolute URL goes home instead (no open redirect)', async () => {
		const start = await postForm(`${site1}/auth/sign-in`, { return_to: 'https://evil.example/' }, BROWSER);
		const flowCookie = cookieHeader(start, FLOW);
		const callback = await callbackFor(new URL(start.headers.get('location')!), await signIn());
		const finished = await get(callback.href, { cookie: flowCookie, ...BROWSER });
		expect(finished.status).toBe(303);
		expect(finished.headers.get('location')).toBe('/');
	});
});

describe('a sign-in form sent twice (no JavaScript) leaves one session', () => {
	/** The login form's submission id, as a browser renders it. */
	async function loginForm(): Promise<string> {
		const html = await (await get(`${provider}/auth/login`, BROWSER)).text();
		const id = html.match(/name="submission" value="([^"]+)"/)?.[1];
		expect(id).toBeTruthy();
		return id!;
	}
	const post = (fields: Record<string, string>) => postForm(`${provider}/auth/login`, fields, { origin: provider, ...BROWSER });
	const isValid = async (cookie: string) => (await (await get(`${provider}/api/auth/session`, { cookie })).json()) !== null;

	/** The account console's session list, read with `cookie`: how many sessions it shows. */
	async function listedSessions(cookie: string): Promise<number> {
		const html = await (await get(`${provider}/account`, { cookie, ...BROWSER })).text();
		const region = html.slice(html.indexOf('id="sessions"'), html.indexOf('id="apps"'));
		return (region.match(/<h3[ >]/g) ?? []).length;
	}

	async function freshUser() {
		const user = await signUp('Double Click');
		await postForm(`${provider}/auth/logout`, {}, { cookie: user.cookie, origin: provider, accept: 'text/html' });
		return user;
	}

	it('two identical POSTs at once: one session is left, listed alone on the account console', async () => {
		const user = await freshUser();
		const submission = await loginForm();
		const fields = { email: user.email, password: user.password, submission };
		const responses = await Promise.all([post(fields), post(fields)]);
		for (const r of responses) expect(r.status).toBe(303);
		const cookies = responses.map((r) => cookieHeader(r, 'op_session'));
		const valid = await Promise.all(cookies.map(isValid));
		expect(valid.filter(Boolean)).toHaveLength(1);
		expect(await listedSessions(cookies[valid.indexOf(true)])).toBe(1);
	});

	it("the second POST after the first answered: the browser's cookie (the last) is the session left", async () => {
		const user = await freshUser();
		const submission = await loginForm();
		const fields = { email: user.email, password: user.password, submission };
		const first = cookieHeader(await post(fields), 'op_session');
		const second = cookieHeader(await post(fields), 'op_session');
		expect(await isValid(first)).toBe(false);
		expect(await isValid(second)).toBe(true);
		expect(await listedSessions(second)).toBe(1);
	});

	it('two renderings of the form (two tabs, two sign-ins) are two sessions, as before', async () => {
		const user = await freshUser();
		const a = cookieHeader(await post({ email: user.email, password: user.password, submission: await loginForm() }), 'op_session');
		const b = cookieHeader(await post({ email: user.email, password: user.password, submission: await loginForm() }), 'op_session');
		expect([await isValid(a), await isValid(b)]).toEqual([true, true]);
	});

	it("a submission id cannot end someone else's session: the same id with another user's password leaves the first user signed in", async () => {
		const victim = await freshUser();
		const submission = await loginForm();
		const victimCookie = cookieHeader(await post({ email: victim.email, password: victim.password, submission }), 'op_session');
		const other = cookieHeader(await post({ email: DEMO.email, password: DEMO.password, submission }), 'op_session');
		expect(await isValid(victimCookie)).toBe(true);
		expect(await isValid(other)).toBe(true);
	});
});
