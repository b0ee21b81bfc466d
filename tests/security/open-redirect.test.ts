// Attacker: anyone who can register a client (open RFC 7591 registration) with redirect and
// post-logout URIs on their own site. Goal: links on the PROVIDER's origin that bounce any
// visitor straight to the attacker's site (phishing that starts at a trusted address).
// RFC 9700 §4.11.2. Issue #6 finding 4.
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { basicAuthorization, dashboardRequest, get, postForm, postJSON, servers, signUp } from '../support/http';

const { provider, site1 } = servers();
const BROWSER = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
const LANDING = 'https://evil.example/landing';
const AFTER_LOGOUT = 'https://evil.example/after-logout';

let attacker: { client_id: string; client_secret: string };

beforeAll(async () => {
	const registration = await postJSON(`${provider}/api/auth/register`, {
		client_name: 'Totally Legit',
		redirect_uris: [LANDING],
		post_logout_redirect_uris: [AFTER_LOGOUT]
	});
	expect(registration.status).toBe(201);
	attacker = (await registration.json()) as typeof attacker;
});

const authorize = (overrides: Record<string, string>) =>
	new URLSearchParams({ client_id: attacker.client_id, redirect_uri: LANDING, response_type: 'code', scope: 'openid', state: 'st', ...overrides });

/** The provider answered with its own page naming the attacker's host, and did not redirect. */
async function expectDestinationPage(response: Response, expectedLink: (url: URL) => void) {
	expect(response.status).toBe(200);
	expect(response.headers.get('location')).toBeNull();
	const html = await response.text();
	expect(html).toContain('<strong>evil.example</strong>');
	const links = [...html.matchAll(/href="(https:\/\/evil\.example[^"]*)"/g)].map((m) => new URL(m[1].replace(/&amp;/g, '&')));
	expect(links).toHaveLength(1);
	expectedLink(links[0]);
	return html;
}

describe('authorization errors for a self-registered client are not redirected automatically', () => {
	it.each([
		['scope without openid', { scope: 'profile' }, 'invalid_scope'],
		['response_type=token', { response_type: 'token' }, 'unsupported_response_type'],
		['prompt=none while signed out', { prompt: 'none' }, 'login_required'],
		['a request object', { request: 'eyJhbGciOiJub25lIn0.e30.' }, 'request_not_supported']
	])('%s → a provider page naming evil.example, with a link carrying the error', async (_, overrides, error) => {
		const response = await get(`${provider}/api/auth/authorize?${authorize(overrides)}`, BROWSER);
		const html = await expectDestinationPage(response, (link) => {
			expect(link.origin + link.pathname).toBe(LANDING);
			expect(link.searchParams.get('error')).toBe(error);
			expect(link.searchParams.get('state')).toBe('st');
			expect(link.searchParams.get('iss')).toBe(provider);
		});
		expect(html).toMatch(/<h1[^>]*>Sign-in not completed<\/h1>/);
		expect(html).toContain('href="/account"');
	});

	it('the same through a form POST to the authorization endpoint', async () => {
		const response = await postForm(`${provider}/api/auth/authorize`, authorize({ scope: 'profile' }), {
			origin: 'https://evil.example',
			'sec-fetch-site': 'cross-site',
			...BROWSER
		});
		await expectDestinationPage(response, (link) => expect(link.searchParams.get('error')).toBe('invalid_scope'));
	});

	it('an operator-registered client keeps its automatic error redirect', async () => {
		const response = await get(`${provider}/api/auth/authorize?${new URLSearchParams(dashboardRequest({ scope: 'profile' }))}`, BROWSER);
		expect(response.status).toBe(302);
		expect(new URL(response.headers.get('location')!).origin).toBe(site1);
	});
});

describe('the pages the authorization endpoint renders take their content only from the provider', () => {
	// endpoint-pages.ts hands the page route its content in a header, honoured only on SvelteKit's own sub-requests.
	const forged = encodeURIComponent(
		JSON.stringify({
			message: 'Your account is locked: call +1 555 0100',
			code: 'x',
			clientName: 'Bank',
			destination: LANDING,
			host: 'evil.example',
			error: { code: 'x', description: 'x' }
		})
	);
	it.each(['/error/400', '/error/503', '/auth/sign-in-not-completed'])('a visitor sending the content header to %s gets the 404 page', async (path) => {
		const response = await get(`${provider}${path}`, { ...BROWSER, 'x-endpoint-page': forged });
		expect(response.status).toBe(404);
		const html = await response.text();
		expect(html).not.toContain('call +1 555');
		expect(html).not.toContain('evil.example');
	});
});

describe('end-session never bounces a signed-out visitor to a self-registered client', () => {
	it('client_id + post_logout_redirect_uri, nobody signed in → a provider page naming evil.example', async () => {
		const query = new URLSearchParams({ client_id: attacker.client_id, post_logout_redirect_uri: AFTER_LOGOUT, state: 'x' });
		const response = await get(`${provider}/api/auth/end-session?${query}`, BROWSER);
		await expectDestinationPage(response, (link) => expect(link.href).toBe(`${AFTER_LOGOUT}?state=x`));
	});

	it('even with a valid id_token_hint the attacker minted for their own client (own account, own consent)', async () => {
		// A successful code response still redirects: the user signed in and consented.
		const { cookie } = await signUp('Attacker');
		const request = authorize({});
		const consent = await postForm(
			`${provider}/auth/consent`,
			{ return_to: `/api/auth/authorize?${request}`, decision: 'allow' },
			{ cookie, origin: provider, ...BROWSER }
		);
		expect(consent.status).toBe(303);
		const answer = await get(`${provider}/api/auth/authorize?${request}`, { cookie, ...BROWSER });
		expect(answer.status).toBe(302);
		const code = new URL(answer.headers.get('location')!).searchParams.get('code')!;
		const tokens = await postForm(
			`${provider}/api/auth/token`,
			{ grant_type: 'authorization_code', code, redirect_uri: LANDING },
			{ authorization: basicAuthorization(attacker.client_id, attacker.client_secret) }
		);
		const { id_token } = (await tokens.json()) as { id_token: string };
		expect(decodeJwt(id_token).aud).toBe(attacker.client_id);

		// The victim is not signed in; the link is on the provider's origin.
		const query = new URLSearchParams({ id_token_hint: id_token, post_logout_redirect_uri: AFTER_LOGOUT });
		const response = await get(`${provider}/api/auth/end-session?${query}`, BROWSER);
		await expectDestinationPage(response, (link) => expect(link.href).toBe(AFTER_LOGOUT));
	});
});
