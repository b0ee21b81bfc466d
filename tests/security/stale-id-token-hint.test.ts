// Attacker: anyone who holds an old ID token of the victim's (from a relying party's logs, or
// the victim's own ended session) and can make the victim's browser follow a link. Goal: sign
// the victim out of their CURRENT session with a cross-site GET. Issue #6 finding 9.
import { describe, expect, it } from 'vitest';
import { DASHBOARD, get, postForm, servers, signIn } from '../support/http';

const { provider, site1 } = servers();
const BROWSER = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8', 'sec-fetch-site': 'cross-site' };

async function idTokenFor(cookie: string): Promise<string> {
	const redirectURI = `${site1}/auth/callback`;
	const query = new URLSearchParams({ client_id: DASHBOARD.id, response_type: 'code', redirect_uri: redirectURI, scope: 'openid', state: 's' });
	const authorize = await get(`${provider}/api/auth/authorize?${query}`, { cookie });
	const code = new URL(authorize.headers.get('location')!).searchParams.get('code')!;
	const tokens = await postForm(`${provider}/api/auth/token`, {
		grant_type: 'authorization_code',
		code,
		redirect_uri: redirectURI,
		client_id: DASHBOARD.id,
		client_secret: DASHBOARD.secret
	});
	return ((await tokens.json()) as { id_token: string }).id_token;
}

const sessionOf = async (cookie: string) => (await get(`${provider}/api/auth/session`, { cookie })).json();

describe('a stale id_token_hint does not end a newer session unasked', () => {
	it('an ID token from a session that has ENDED, sent with a cross-site GET, gets the "Sign out?" question; the new session stays', async () => {
		const old = await signIn();
		const staleHint = await idTokenFor(old);
		await postForm(`${provider}/auth/logout`, {}, { cookie: old, origin: provider, accept: 'text/html' });
		expect(await sessionOf(old)).toBeNull();

		const current = await signIn();
		const response = await get(`${provider}/api/auth/end-session?${new URLSearchParams({ id_token_hint: staleHint, post_logout_redirect_uri: `${site1}/` })}`, {
			cookie: current,
			...BROWSER
		});
		expect(response.status).toBe(200);
		expect(response.headers.get('location')).toBeNull();
		expect(await response.text()).toMatch(/<h1[^>]*>Sign out\?<\/h1>/);
		expect(await sessionOf(current)).not.toBeNull();
	});

	it('an ID token from the same session still signs out at once (the relying party\'s own "sign out everywhere")', async () => {
		const current = await signIn();
		const hint = await idTokenFor(current);
		const response = await get(`${provider}/api/auth/end-session?${new URLSearchParams({ id_token_hint: hint, post_logout_redirect_uri: `${site1}/` })}`, {
			cookie: current,
			...BROWSER
		});
		expect(response.status).toBe(302);
		expect(response.headers.get('location')).toBe(`${site1}/`);
		expect(await sessionOf(current)).toBeNull();
	});
});
