// The account page's sensitive actions from the attacker's side, against the production build:
// a session whose sign-in is older than the recent-authentication window (a stolen cookie, a
// computer left signed in) cannot change the password or the address or delete the account; a
// cross-site form post changes nothing; a password change ends every other session (and the
// demo site's session from it, by back-channel); deleting the account ends everything.
import { describe, expect, it } from 'vitest';
import { readMail } from '../support/mail-sink';
import {
	cookieHeader,
	DASHBOARD_CREDENTIALS,
	DEMO,
	dashboardRequest,
	authorizeWith,
	get,
	postForm,
	postJSON,
	servers,
	setCookie,
	signUp,
	tokenRequest,
	expectOAuthError,
	uniqueEmail
} from '../support/http';
import { useProductionServer } from '../support/provider-fixture';

const { provider, site1, mailDir } = servers();
const BROWSER = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
const NEW_PASSWORD = 'Tangerine-Orbit-42';

async function signInJSON(base: string, email: string, password: string): Promise<Response> {
	return postJSON(`${base}/api/auth/sign-in/email`, { email, password });
}
const isSignedIn = async (base: string, cookie: string) => (await (await get(`${base}/api/auth/session`, { cookie })).json()) !== null;

/** Signs in to the demo site through the provider as a browser would; returns the site's session cookie header. */
async function signInToDashboard(providerCookie: string): Promise<string> {
	const start = await postForm(`${site1}/auth/sign-in`, {}, BROWSER);
	const answer = await get(start.headers.get('location')!, { cookie: providerCookie, ...BROWSER });
	const finished = await get(answer.headers.get('location')!, { cookie: cookieHeader(start, 'rp_site1_signin'), ...BROWSER });
	expect(finished.status).toBe(303);
	return cookieHeader(finished, 'rp_site1_session');
}
const dashboardPage = async (cookie: string) => (await get(`${site1}/`, { cookie, ...BROWSER })).text();

describe('a session whose sign-in is older than the window (REAUTHENTICATE_AFTER_SECONDS=3)', () => {
	const server = useProductionServer({ port: 4570, serve: 'provider', env: { REAUTHENTICATE_AFTER_SECONDS: '3' } });

	it('cannot change the password or the address or delete the account; each is sent to sign in again, and after that it works', async () => {
		const base = server.urls.provider;
		const signedIn = await signInJSON(base, DEMO.email, DEMO.password);
		expect(signedIn.status).toBe(200);
		const stolen = cookieHeader(signedIn, 'op_session');
		await new Promise((resolve) => setTimeout(resolve, 3500));
		const post = (path: string, body: Record<string, string>) => postForm(`${base}${path}`, body, { cookie: stolen, origin: base, ...BROWSER });
		const reauth = (path: string) => `/auth/login?prompt=login&return_to=${encodeURIComponent(path)}&notice=reauthenticate`;

		for (const path of ['/account/password', '/account/email', '/account/delete']) {
			const page = await get(`${base}${path}`, { cookie: stolen, ...BROWSER });
			expect(page.status).toBe(303);
			expect(page.headers.get('location')).toBe(reauth(path));
		}
		const password = await post('/account/password', { current_password: DEMO.password, new_password: NEW_PASSWORD });
		expect(password.headers.get('location')).toBe(reauth('/account/password'));
		const attackerMailbox = uniqueEmail('attacker');
		const email = await post('/account/email', { email: attackerMailbox, password: DEMO.password });
		expect(email.headers.get('location')).toBe(reauth('/account/email'));
		const deletion = await post('/account/delete', {});
		expect(deletion.headers.get('location')).toBe(reauth('/account/delete'));
		// Nothing changed: the old password still signs in, the session still exists.
		expect((await signInJSON(base, DEMO.email, DEMO.password)).status).toBe(200);
		expect(await isSignedIn(base, stolen)).toBe(true);

		const prompt = await get(`${base}${reauth('/account/password')}`, { cookie: stolen, ...BROWSER });
		expect(prompt.status).toBe(200);
		expect(await prompt.text()).toContain('needs a recent sign-in');
		const again = await postForm(
			`${base}${reauth('/account/password')}`,
			{ email: DEMO.email, password: DEMO.password, return_to: '/account/password' },
			{ cookie: stolen, origin: base, ...BROWSER }
		);
		expect(again.status).toBe(303);
		expect(again.headers.get('location')).toBe('/account/password');
		const fresh = cookieHeader(again, 'op_session');
		const changed = await postForm(
			`${base}/account/password`,
			{ current_password: DEMO.password, new_password: NEW_PASSWORD },
			{ cookie: fresh, origin: base, ...BROWSER }
		);
		expect(changed.headers.get('location')).toBe('/account?notice=password-changed');
	}, 60_000);
});

describe('cross-site posts', () => {
	it('a form posted from another site changes neither the password, the name nor deletes the account', async () => {
		const user = await signUp('Cross Site Target');
		const forged = (path: string, body: Record<string, string>) => postForm(`${provider}${path}`, body, { cookie: user.cookie, origin: site1, ...BROWSER });
		expect((await forged('/account/password', { current_password: user.password, new_password: NEW_PASSWORD })).status).toBe(403);
		expect((await forged('/account?/updateName', { name: 'Hijacked' })).status).toBe(403);
		expect((await forged('/account/delete', {})).status).toBe(403);
		expect(await isSignedIn(provider, user.cookie)).toBe(true);
		expect((await signInJSON(provider, user.email, user.password)).status).toBe(200);
		expect(await (await get(`${provider}/account`, { cookie: user.cookie, ...BROWSER })).text()).not.toContain('Hijacked');
	});
});

describe('changing the password', () => {
	it(
		'refuses a wrong current password beside the field; ' +
			'after a change the old password fails, other sessions and their site sessions end, this one stays, the owner is told',
		async () => {
			const user = await signUp('Password Changer');
			const other = cookieHeader(await signInJSON(provider, user.email, user.password), 'op_session');
			const otherSite = await signInToDashboard(other);
			expect(await dashboardPage(otherSite)).toContain('Welcome, Password Changer');
			const post = (body: Record<string, string>) => postForm(`${provider}/account/password`, body, { cookie: user.cookie, origin: provider, ...BROWSER });

			const wrong = await post({ current_password: 'a guess', new_password: NEW_PASSWORD });
			expect(wrong.status).toBe(400);
			expect(await wrong.text()).toContain('This is not your current password.');
			const weak = await post({ current_password: user.password, new_password: 'short' });
			expect(weak.status).toBe(400);
			expect(await weak.text()).toContain('Use at least 8 characters.');

			const changed = await post({ current_password: user.password, new_password: NEW_PASSWORD });
			expect(changed.status).toBe(303);
			expect(changed.headers.get('location')).toBe('/account?notice=password-changed');
			expect((await signInJSON(provider, user.email, user.password)).status).toBe(401);
			expect((await signInJSON(provider, user.email, NEW_PASSWORD)).status).toBe(200);
			expect(await isSignedIn(provider, other)).toBe(false);
			expect(await isSignedIn(provider, user.cookie)).toBe(true);
			expect(await dashboardPage(otherSite)).toContain('Sign in with SSO');
			const notice = await readMail(mailDir, user.email, { subject: /^Your SSO Provider password was changed$/ });
			expect(notice.text).not.toContain(NEW_PASSWORD);
		}
	);
});

describe('editing the name', () => {
	it('refuses an empty name beside the field and saves a good one', async () => {
		const user = await signUp('Old Name');
		const post = (name: string) => postForm(`${provider}/account?/updateName`, { name }, { cookie: user.cookie, origin: provider, ...BROWSER });
		const empty = await post('   ');
		expect(empty.status).toBe(400);
		expect(await empty.text()).toContain('Enter your name.');
		const saved = await post('New Name');
		expect(saved.status).toBe(303);
		expect(saved.headers.get('location')).toBe('/account?notice=name-updated');
		const session = (await (await get(`${provider}/api/auth/session`, { cookie: user.cookie })).json()) as { user: { name: string } };
		expect(session.user.name).toBe('New Name');
	});
});

describe('deleting the account', () => {
	it('ends the demo site session by back-channel, stops the refresh token, clears the cookie, and the password no longer signs in', async () => {
		const user = await signUp('Leaving User');
		const site = await signInToDashboard(user.cookie);
		expect(await dashboardPage(site)).toContain('Welcome, Leaving User');
		const code = (await authorizeWith(user.cookie, dashboardRequest())).searchParams.get('code')!;
		const tokens = (await (
			await tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: `${site1}/auth/callback`, ...DASHBOARD_CREDENTIALS })
		).json()) as { refresh_token?: string };

		const confirmPage = await get(`${provider}/account/delete`, { cookie: user.cookie, ...BROWSER });
		expect(confirmPage.status).toBe(200);
		expect(await confirmPage.text()).toContain('It cannot be undone.');
		const deleted = await postForm(`${provider}/account/delete`, {}, { cookie: user.cookie, origin: provider, ...BROWSER });
		expect(deleted.status).toBe(303);
		expect(deleted.headers.get('location')).toBe('/account/deleted');
		expect(setCookie(deleted, 'op_session')?.value).toBe('');

		expect(await dashboardPage(site)).toContain('Sign in with SSO');
		expect(await isSignedIn(provider, user.cookie)).toBe(false);
		expect((await signInJSON(provider, user.email, user.password)).status).toBe(401);
		expect(tokens.refresh_token).toEqual(expect.any(String));
		await expectOAuthError(
			await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token!, ...DASHBOARD_CREDENTIALS }),
			400,
			'invalid_grant'
		);
		const landing = await get(`${provider}/account/deleted`, BROWSER);
		expect(landing.status).toBe(200);
		expect(await landing.text()).toContain('Your account was deleted');
		// The address is free again: a new sign-up with it is accepted.
		expect((await postJSON(`${provider}/api/auth/sign-up/email`, { email: user.email, password: 'Another-Start-77', name: 'Back Again' })).status).toBe(202);
	});
});
