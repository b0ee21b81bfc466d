// The account console from the attacker's side, against the production build: its forms act
// only on the signed-in user's own sessions and applications, refuse cross-site posts, and
// "Revoke access" really stops the application's tokens and its session at the demo site.
import { describe, expect, it } from 'vitest';
import {
	cookieHeader,
	DASHBOARD_CREDENTIALS,
	dashboardRequest,
	get,
	postForm,
	postJSON,
	servers,
	signUp,
	tokenRequest,
	expectOAuthError,
	authorizeWith
} from '../support/http';

const { provider, site1, site2 } = servers();
const BROWSER = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0';

/** A second provider session for the same user, from "another browser". */
async function signInAgain(email: string, password: string, userAgent = FIREFOX): Promise<string> {
	const response = await postJSON(`${provider}/api/auth/sign-in/email`, { email, password }, { 'user-agent': userAgent });
	expect(response.status).toBe(200);
	return cookieHeader(response, 'op_session');
}

/** Signs in to a demo site through the provider as a browser would; returns the site's session cookie header. */
async function signInToSite(site: string, providerCookie: string): Promise<string> {
	const cookieName = site === site1 ? 'rp_site1' : 'rp_site2';
	const start = await postForm(`${site}/auth/sign-in`, {}, BROWSER);
	expect(start.status).toBe(303);
	const answer = await get(start.headers.get('location')!, { cookie: providerCookie, ...BROWSER });
	expect(answer.status).toBe(302);
	const finished = await get(answer.headers.get('location')!, { cookie: cookieHeader(start, `${cookieName}_signin`), ...BROWSER });
	expect(finished.status).toBe(303);
	return cookieHeader(finished, `${cookieName}_session`);
}

const sitePage = async (site: string, cookie: string) => (await get(`${site}/`, { cookie, ...BROWSER })).text();
const isSignedIn = async (cookie: string) => (await (await get(`${provider}/api/auth/session`, { cookie })).json()) !== null;
const accountPage = async (cookie: string) => (await get(`${provider}/account`, { cookie, ...BROWSER })).text();
/** The session ids the account page offers to sign out (its hidden form fields). */
const sessionIdsOffered = (html: string) => [...html.matchAll(/name="session_id" value="([^"]+)"/g)].map((m) => m[1]);

const consoleAction = (cookie: string, action: string, body: Record<string, string>, origin = provider) =>
	postForm(`${provider}/account?/${action}`, body, { cookie, origin, ...BROWSER });

describe('account console: sessions', () => {
	it('lists the other browser by name and signs it out, with back-channel logout at the demo site', async () => {
		const user = await signUp('Console User');
		const other = await signInAgain(user.email, user.password);
		const otherSite = await signInToSite(site2, other);
		expect(await sitePage(site2, otherSite)).toContain('Welcome, Console User');

		const html = await accountPage(user.cookie);
		expect(html).toContain('Firefox on Linux');
		expect(html).toContain('This device');
		const [otherId] = sessionIdsOffered(html);
		const ended = await consoleAction(user.cookie, 'endSession', { session_id: otherId });
		expect(ended.status).toBe(303);
		expect(ended.headers.get('location')).toBe('/account?notice=session-ended#sessions');
		expect(await isSignedIn(other)).toBe(false);
		expect(await isSignedIn(user.cookie)).toBe(true);
		expect(await sitePage(site2, otherSite)).toContain('Sign in with SSO');
	});

	it("another user's session id posted to the form ends nothing and is answered as an unknown id", async () => {
		const victim = await signUp('Victim');
		const victimOther = await signInAgain(victim.email, victim.password);
		const [victimSessionId] = sessionIdsOffered(await accountPage(victim.cookie));
		const attacker = await signUp('Attacker');

		const forged = await consoleAction(attacker.cookie, 'endSession', { session_id: victimSessionId });
		const unknown = await consoleAction(attacker.cookie, 'endSession', { session_id: 'no-such-session' });
		expect(forged.status).toBe(404);
		expect(unknown.status).toBe(404);
		const text = (html: string) => html.replace(/<script[\s\S]*?<\/script>/g, '').match(/role="alert">([^<]*)</)?.[1];
		const forgedAnswer = text(await forged.text());
		expect(forgedAnswer).toBe('That session is no longer active. The list below is up to date.');
		expect(forgedAnswer).toBe(text(await unknown.text()));
		expect(await isSignedIn(victimOther)).toBe(true);
		expect(await isSignedIn(victim.cookie)).toBe(true);
	});

	it('a cross-site POST to "Sign out all other sessions" is refused and ends nothing', async () => {
		const user = await signUp('Cross Site');
		const other = await signInAgain(user.email, user.password);
		const forged = await consoleAction(user.cookie, 'endOtherSessions', {}, 'https://evil.example');
		expect(forged.status).toBe(403);
		expect(await isSignedIn(other)).toBe(true);

		const real = await consoleAction(user.cookie, 'endOtherSessions', {});
		expect(real.status).toBe(303);
		expect(await isSignedIn(other)).toBe(false);
		expect(await isSignedIn(user.cookie)).toBe(true);
	});
});

describe('account console: connected apps', () => {
	it('"Revoke access" stops the refresh and access tokens and ends the demo site session by back-channel, and only that app', async () => {
		const user = await signUp('Revoker');
		const dashboardSite = await signInToSite(site1, user.cookie);
		const wikiSite = await signInToSite(site2, user.cookie);
		const code = (await authorizeWith(user.cookie, dashboardRequest())).searchParams.get('code')!;
		const tokens = (await (
			await tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: `${site1}/auth/callback`, ...DASHBOARD_CREDENTIALS })
		).json()) as {
			access_token: string;
			refresh_token: string;
		};
		expect((await get(`${provider}/api/auth/userinfo`, { authorization: `Bearer ${tokens.access_token}` })).status).toBe(200);
		const html = await accountPage(user.cookie);
		expect(html).toContain('Internal Dashboard');
		expect(html).toContain('See your email address and whether it is verified');

		const revoked = await consoleAction(user.cookie, 'revokeApp', { client_id: DASHBOARD_CREDENTIALS.client_id });
		expect(revoked.status).toBe(303);
		expect(revoked.headers.get('location')).toBe('/account?notice=app-revoked#apps');

		await expectOAuthError(
			await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, ...DASHBOARD_CREDENTIALS }),
			400,
			'invalid_grant'
		);
		expect((await get(`${provider}/api/auth/userinfo`, { authorization: `Bearer ${tokens.access_token}` })).status).toBe(401);
		expect(await sitePage(site1, dashboardSite)).toContain('Sign in with SSO');
		expect(await sitePage(site2, wikiSite)).toContain('Welcome, Revoker');
		expect(await isSignedIn(user.cookie)).toBe(true);
	});

	it("revoking an app the user never connected (or someone else's) changes nothing", async () => {
		const owner = await signUp('Owner');
		const ownerSite = await signInToSite(site1, owner.cookie);
		const attacker = await signUp('Other');
		const refused = await consoleAction(attacker.cookie, 'revokeApp', { client_id: DASHBOARD_CREDENTIALS.client_id });
		expect(refused.status).toBe(404);
		expect(await sitePage(site1, ownerSite)).toContain('Welcome, Owner');
	});
});
