// RFC 7591 dynamic client registration, and the RFC 7662 / RFC 7009 endpoints' HTTP shape,
// over real HTTP against the production build.
import { describe, expect, it } from 'vitest';
import { basicAuthorization, codeFor, DASHBOARD_CREDENTIALS, expectOAuthError, get, postForm, postJSON, servers, tokenRequest, WIKI } from '../support/http';

const { provider, site1 } = servers();
const REGISTER = `${provider}/api/auth/register`;

describe('POST /api/auth/register (RFC 7591)', () => {
	it('discovery advertises registration_endpoint', async () => {
		const doc = (await (await get(`${provider}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
		expect(doc.registration_endpoint).toBe(REGISTER);
	});

	it('a valid registration → 201, JSON, Cache-Control no-store, client_id + client_secret + client_secret_expires_at 0', async () => {
		const response = await postJSON(REGISTER, { redirect_uris: ['https://app.example.org/cb'], client_name: 'HTTP registered app' });
		expect(response.status).toBe(201);
		expect(response.headers.get('content-type')).toMatch(/^application\/json/);
		expect(response.headers.get('cache-control')).toBe('no-store');
		const body = (await response.json()) as Record<string, unknown>;
		expect(body).toMatchObject({
			client_secret_expires_at: 0,
			client_name: 'HTTP registered app',
			redirect_uris: ['https://app.example.org/cb'],
			token_endpoint_auth_method: 'client_secret_basic'
		});
		expect(body.client_id).toBeTypeOf('string');
		expect(body.client_secret).toBeTypeOf('string');
		expect(body.client_id_issued_at).toBeTypeOf('number');
	});

	it('the new client is known to the authorization endpoint, and untrusted: a signed-out user goes to the login page', async () => {
		const body = (await (await postJSON(REGISTER, { redirect_uris: ['https://app.example.org/cb'] })).json()) as { client_id: string };
		const authorizeParams = new URLSearchParams({
			client_id: body.client_id,
			redirect_uri: 'https://app.example.org/cb',
			response_type: 'code',
			scope: 'openid'
		});
		const response = await get(`${provider}/api/auth/authorize?${authorizeParams}`);
		expect(response.status).toBe(302);
		expect(new URL(response.headers.get('location')!, provider).pathname).toBe('/auth/login');
	});

	it.each(['trusted', 'skip_consent', 'skipConsent', 'first_party', 'client_id', 'client_secret'])(
		'the privileged field %s → 400 invalid_client_metadata',
		async (field) => {
			const response = await postJSON(REGISTER, { redirect_uris: ['https://app.example.org/cb'], [field]: field.startsWith('client') ? 'chosen' : true });
			await expectOAuthError(response, 400, 'invalid_client_metadata');
		}
	);

	it.each([
		['http on a public host', ['http://example.com/cb']],
		['a fragment', ['https://app.example.org/cb#x']],
		['a relative URI', ['/cb']],
		['an empty list', []]
	])('redirect_uris with %s → 400 invalid_redirect_uri', async (_, uris) => {
		await expectOAuthError(await postJSON(REGISTER, { redirect_uris: uris }), 400, 'invalid_redirect_uri');
	});

	it('a form-encoded body, malformed JSON or a JSON array → 400 invalid_client_metadata; an oversized body → 413', async () => {
		await expectOAuthError(await postForm(REGISTER, { redirect_uris: 'https://app.example.org/cb' }), 400, 'invalid_client_metadata');
		const malformed = await fetch(REGISTER, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"redirect_uris": [' });
		await expectOAuthError(malformed, 400, 'invalid_client_metadata');
		await expectOAuthError(await postJSON(REGISTER, [{ redirect_uris: ['https://app.example.org/cb'] }]), 400, 'invalid_client_metadata');
		const huge = await postJSON(REGISTER, { redirect_uris: ['https://app.example.org/cb'], client_name: 'x', padding: 'y'.repeat(70_000) });
		await expectOAuthError(huge, 413, 'invalid_client_metadata');
	});

	it.each(['redirect_uris', 'post_logout_redirect_uris'])('a lone UTF-16 surrogate in %s → 400, not a 500 (jsonb cannot store it)', async (field) => {
		const body =
			field === 'redirect_uris'
				? '{"redirect_uris":["https://app.example.org/\\ud800"]}'
				: '{"redirect_uris":["https://app.example.org/cb"],"post_logout_redirect_uris":["https://app.example.org/\\udfff"]}';
		const response = await fetch(REGISTER, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
		expect(response.status).toBe(400);
		const { error } = (await response.json()) as { error: string };
		expect(['invalid_redirect_uri', 'invalid_client_metadata']).toContain(error);
	});

	it('GET is not a registration (405)', async () => {
		expect((await get(REGISTER)).status).toBe(405);
	});
});

async function dashboardTokens() {
	const code = await codeFor();
	const response = await tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: `${site1}/auth/callback`, ...DASHBOARD_CREDENTIALS });
	return (await response.json()) as { access_token: string; refresh_token: string; id_token: string };
}

describe('POST /api/auth/introspect and /api/auth/revoke over HTTP', () => {
	it('introspection without client authentication → 401 invalid_client with a Basic challenge', async () => {
		const { access_token } = await dashboardTokens();
		const response = await postForm(`${provider}/api/auth/introspect`, { token: access_token });
		await expectOAuthError(response, 401, 'invalid_client');
		expect(response.headers.get('www-authenticate')).toMatch(/^Basic/);
	});

	it('introspection of an ID token → 200 {"active":false} and nothing else', async () => {
		const { id_token } = await dashboardTokens();
		const response = await postForm(`${provider}/api/auth/introspect`, { token: id_token, ...DASHBOARD_CREDENTIALS });
		expect(response.status).toBe(200);
		expect(response.headers.get('cache-control')).toBe('no-store');
		expect(await response.json()).toEqual({ active: false });
	});

	it('revocation: 200 with an empty body; an unknown token → 200 too', async () => {
		const { access_token } = await dashboardTokens();
		for (const token of [access_token, 'no-such-token']) {
			const response = await postForm(`${provider}/api/auth/revoke`, { token, ...DASHBOARD_CREDENTIALS });
			expect(response.status).toBe(200);
			expect(await response.text()).toBe('');
		}
		const userinfo = await get(`${provider}/api/auth/userinfo`, { authorization: `Bearer ${access_token}` });
		expect(userinfo.status).toBe(401);
	});

	it("revoking another client's token → 400 unauthorized_client, and the token keeps working", async () => {
		const { access_token } = await dashboardTokens();
		const response = await postForm(`${provider}/api/auth/revoke`, { token: access_token }, { authorization: basicAuthorization(WIKI.id, WIKI.secret) });
		await expectOAuthError(response, 400, 'unauthorized_client');
		expect((await get(`${provider}/api/auth/userinfo`, { authorization: `Bearer ${access_token}` })).status).toBe(200);
	});
});
