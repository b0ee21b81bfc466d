// Issue #6 finding 14: a client_secret_basic client could authenticate with client_secret_post
// (and the other way round). RFC 7591 §2: the registered token_endpoint_auth_method is the only
// one accepted, at every endpoint that authenticates clients. Attacker's view: someone holding
// a client's secret (from a log of form bodies, say) tries the other channel.
import { describe, expect, it } from 'vitest';
import {
	basicAuthorization,
	codeFor,
	DASHBOARD,
	DASHBOARD_CREDENTIALS,
	dashboardRequest,
	expectOAuthError,
	postForm,
	postJSON,
	servers,
	tokenRequest,
	WIKI
} from '../support/http';

const { provider, site1, site2 } = servers();
const WIKI_CALLBACK = `${site2}/auth/callback`;
const wikiRequest = () => dashboardRequest({ client_id: WIKI.id, redirect_uri: WIKI_CALLBACK });

async function wikiTokens() {
	const code = await codeFor(wikiRequest());
	const response = await tokenRequest(
		{ grant_type: 'authorization_code', code, redirect_uri: WIKI_CALLBACK },
		{ authorization: basicAuthorization(WIKI.id, WIKI.secret) }
	);
	expect(response.status).toBe(200);
	return (await response.json()) as { access_token: string; refresh_token?: string };
}

describe('a client_secret_basic client (team-wiki) cannot authenticate with client_secret_post', () => {
	it('token endpoint: a valid code with the secret in the body → 401 invalid_client, and the code still works by Basic', async () => {
		const code = await codeFor(wikiRequest());
		const viaPost = await tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: WIKI_CALLBACK, client_id: WIKI.id, client_secret: WIKI.secret });
		await expectOAuthError(viaPost, 401, 'invalid_client');
		const viaBasic = await tokenRequest(
			{ grant_type: 'authorization_code', code, redirect_uri: WIKI_CALLBACK },
			{ authorization: basicAuthorization(WIKI.id, WIKI.secret) }
		);
		expect(viaBasic.status).toBe(200);
	});

	it('introspection: the secret in the body → 401 invalid_client, no description of the token', async () => {
		const { access_token } = await wikiTokens();
		const response = await postForm(`${provider}/api/auth/introspect`, { token: access_token, client_id: WIKI.id, client_secret: WIKI.secret });
		const body = await expectOAuthError(response, 401, 'invalid_client');
		expect(body).not.toHaveProperty('active');
	});

	it('revocation: the secret in the body → 401 invalid_client, and the token keeps working', async () => {
		const { access_token } = await wikiTokens();
		await expectOAuthError(
			await postForm(`${provider}/api/auth/revoke`, { token: access_token, client_id: WIKI.id, client_secret: WIKI.secret }),
			401,
			'invalid_client'
		);
		expect((await fetch(`${provider}/api/auth/userinfo`, { headers: { authorization: `Bearer ${access_token}` } })).status).toBe(200);
	});
});

describe("a client_secret_post client (internal-dashboard, the guide's curl commands) cannot authenticate with Basic", () => {
	it("token endpoint: Basic → 401 invalid_client; the guide's form body works", async () => {
		const code = await codeFor();
		const callback = `${site1}/auth/callback`;
		await expectOAuthError(
			await tokenRequest(
				{ grant_type: 'authorization_code', code, redirect_uri: callback },
				{ authorization: basicAuthorization(DASHBOARD.id, DASHBOARD.secret) }
			),
			401,
			'invalid_client'
		);
		const guide = await tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: callback, ...DASHBOARD_CREDENTIALS });
		expect(guide.status).toBe(200);
		expect(((await guide.json()) as { id_token?: string }).id_token).toBeTypeOf('string');
	});

	it('introspection and revocation: Basic → 401 invalid_client', async () => {
		for (const endpoint of ['introspect', 'revoke']) {
			const response = await postForm(
				`${provider}/api/auth/${endpoint}`,
				{ token: 'anything' },
				{ authorization: basicAuthorization(DASHBOARD.id, DASHBOARD.secret) }
			);
			await expectOAuthError(response, 401, 'invalid_client');
		}
	});
});

describe('a self-registered client gets the method it registered, and only that one', () => {
	it('registered client_secret_basic: the secret in the body → 401 invalid_client at the token endpoint', async () => {
		const registration = await postJSON(`${provider}/api/auth/register`, { redirect_uris: ['https://app.example.org/cb'] });
		const { client_id, client_secret, token_endpoint_auth_method } = (await registration.json()) as Record<string, string>;
		expect(token_endpoint_auth_method).toBe('client_secret_basic');
		await expectOAuthError(
			await tokenRequest({ grant_type: 'authorization_code', code: 'x', redirect_uri: 'https://app.example.org/cb', client_id, client_secret }),
			401,
			'invalid_client'
		);
		// By Basic the client is authenticated: what fails is the (made-up) code.
		await expectOAuthError(
			await tokenRequest(
				{ grant_type: 'authorization_code', code: 'x', redirect_uri: 'https://app.example.org/cb' },
				{ authorization: basicAuthorization(client_id, client_secret) }
			),
			400,
			'invalid_grant'
		);
	});
});
