// Issue #6 finding 6 (RFC 7592): a registered client manages its own registration with the
// registration access token it got at registration, and nothing else does. Attacker's view:
// read, change or delete someone else's client, or raise one's own privileges by an update.
import { describe, expect, it } from 'vitest';
import { basicAuthorization, DASHBOARD, expectOAuthError, postJSON, servers, tokenRequest } from '../support/http';

const { provider } = servers();
const REGISTER = `${provider}/api/auth/register`;
const CALLBACK = 'https://app.example.org/cb';

interface Registered {
	client_id: string;
	client_secret: string;
	registration_access_token: string;
	registration_client_uri: string;
	[field: string]: unknown;
}

async function register(metadata: Record<string, unknown> = {}): Promise<Registered> {
	const response = await postJSON(REGISTER, { redirect_uris: [CALLBACK], client_name: 'Config test app', ...metadata });
	expect(response.status).toBe(201);
	return (await response.json()) as Registered;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const read = (uri: string, headers: Record<string, string> = {}) => fetch(uri, { headers });
const update = (uri: string, token: string, body: unknown) =>
	fetch(uri, { method: 'PUT', headers: { 'content-type': 'application/json', ...bearer(token) }, body: JSON.stringify(body) });
const remove = (uri: string, headers: Record<string, string> = {}) => fetch(uri, { method: 'DELETE', headers });

describe('RFC 7592: the registration response carries the client configuration credentials', () => {
	it('registration_access_token and an absolute registration_client_uri under the issuer', async () => {
		const client = await register();
		expect(client.registration_access_token).toMatch(/^[a-z2-7]{50,}$/);
		expect(client.registration_client_uri).toBe(`${REGISTER}/${client.client_id}`);
	});
});

describe('RFC 7592 §2: read, update, delete with the registration access token', () => {
	it('GET → 200 with the current metadata, no-store, and no secret or token repeated', async () => {
		const client = await register();
		const response = await read(client.registration_client_uri, bearer(client.registration_access_token));
		expect(response.status).toBe(200);
		expect(response.headers.get('cache-control')).toBe('no-store');
		const body = (await response.json()) as Record<string, unknown>;
		expect(body).toMatchObject({
			client_id: client.client_id,
			client_name: 'Config test app',
			redirect_uris: [CALLBACK],
			registration_client_uri: client.registration_client_uri
		});
		expect(JSON.stringify(body)).not.toContain(client.client_secret);
		expect(JSON.stringify(body)).not.toContain(client.registration_access_token);
	});

	it('PUT replaces the metadata (same validation as registration); GET shows the change; the secret keeps working', async () => {
		const client = await register();
		const changed = await update(client.registration_client_uri, client.registration_access_token, {
			client_id: client.client_id,
			client_name: 'Renamed app',
			redirect_uris: ['https://app.example.org/new-cb']
		});
		expect(changed.status).toBe(200);
		expect(await changed.json()).toMatchObject({ client_name: 'Renamed app', redirect_uris: ['https://app.example.org/new-cb'] });
		const now = (await (await read(client.registration_client_uri, bearer(client.registration_access_token))).json()) as Record<string, unknown>;
		expect(now).toMatchObject({ client_name: 'Renamed app', redirect_uris: ['https://app.example.org/new-cb'] });
		const auth = await tokenRequest(
			{ grant_type: 'authorization_code', code: 'x', redirect_uri: 'https://app.example.org/new-cb' },
			{ authorization: basicAuthorization(client.client_id, client.client_secret) }
		);
		await expectOAuthError(auth, 400, 'invalid_grant');
	});

	it('DELETE → 204; the client is gone: its secret is refused, its URI answers 401', async () => {
		const client = await register();
		const deleted = await remove(client.registration_client_uri, bearer(client.registration_access_token));
		expect(deleted.status).toBe(204);
		const auth = await tokenRequest(
			{ grant_type: 'authorization_code', code: 'x', redirect_uri: CALLBACK },
			{ authorization: basicAuthorization(client.client_id, client.client_secret) }
		);
		await expectOAuthError(auth, 401, 'invalid_client');
		await expectOAuthError(await read(client.registration_client_uri, bearer(client.registration_access_token)), 401, 'invalid_token');
	});
});

describe('RFC 7592 §2: without the right token → 401 invalid_token, and nothing changes', () => {
	it('no token, a wrong token, or a malformed Authorization → 401 with a Bearer challenge', async () => {
		const client = await register();
		const missing = await read(client.registration_client_uri);
		await expectOAuthError(missing, 401, 'invalid_token');
		expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
		await expectOAuthError(await read(client.registration_client_uri, bearer('not-the-token')), 401, 'invalid_token');
		await expectOAuthError(
			await read(client.registration_client_uri, { authorization: basicAuthorization(client.client_id, client.client_secret) }),
			401,
			'invalid_token'
		);
		await expectOAuthError(await remove(client.registration_client_uri, bearer('not-the-token')), 401, 'invalid_token');
		expect((await read(client.registration_client_uri, bearer(client.registration_access_token))).status).toBe(200);
	});

	it("my token on another client's URI → 401 for read, update and delete; the victim is untouched", async () => {
		const victim = await register({ client_name: 'Victim app' });
		const attacker = await register({ client_name: 'Attacker app' });
		const token = attacker.registration_access_token;
		await expectOAuthError(await read(victim.registration_client_uri, bearer(token)), 401, 'invalid_token');
		await expectOAuthError(
			await update(victim.registration_client_uri, token, { client_id: victim.client_id, redirect_uris: ['https://attacker.example/cb'] }),
			401,
			'invalid_token'
		);
		await expectOAuthError(await remove(victim.registration_client_uri, bearer(token)), 401, 'invalid_token');
		const after = (await (await read(victim.registration_client_uri, bearer(victim.registration_access_token))).json()) as Record<string, unknown>;
		expect(after).toMatchObject({ client_name: 'Victim app', redirect_uris: [CALLBACK] });
	});

	it('an operator-managed client (internal-dashboard) has no configuration endpoint: any token → 401', async () => {
		const attacker = await register();
		for (const token of [attacker.registration_access_token, DASHBOARD.secret]) {
			await expectOAuthError(await read(`${REGISTER}/${DASHBOARD.id}`, bearer(token)), 401, 'invalid_token');
			await expectOAuthError(await remove(`${REGISTER}/${DASHBOARD.id}`, bearer(token)), 401, 'invalid_token');
		}
		const dashboard = await tokenRequest({
			grant_type: 'authorization_code',
			code: 'x',
			redirect_uri: 'http://x',
			client_id: DASHBOARD.id,
			client_secret: DASHBOARD.secret
		});
		await expectOAuthError(dashboard, 400, 'invalid_grant');
	});
});

describe("RFC 7592 §2.2: an update cannot raise the client's privileges", () => {
	it.each([
		['trusted', { trusted: true }],
		['skip_consent', { skip_consent: true }],
		['client_credentials', { grant_types: ['client_credentials'] }],
		['API scopes', { scope: 'admin billing:write' }],
		['a reserved name', { client_name: 'Internal Dashboard' }]
	])('%s → 400 invalid_client_metadata, and the registration is unchanged', async (_, extra) => {
		const client = await register();
		const response = await update(client.registration_client_uri, client.registration_access_token, {
			client_id: client.client_id,
			redirect_uris: [CALLBACK],
			...extra
		});
		await expectOAuthError(response, 400, 'invalid_client_metadata');
		const after = (await (await read(client.registration_client_uri, bearer(client.registration_access_token))).json()) as Record<string, unknown>;
		expect(after).toMatchObject({ client_name: 'Config test app', grant_types: ['authorization_code', 'refresh_token'] });
		expect(after).not.toHaveProperty('scope');
	});

	it('a client_id that is not its own, or a wrong client_secret → 400 invalid_client_metadata', async () => {
		const client = await register();
		await expectOAuthError(
			await update(client.registration_client_uri, client.registration_access_token, { client_id: 'someone-else', redirect_uris: [CALLBACK] }),
			400,
			'invalid_client_metadata'
		);
		await expectOAuthError(
			await update(client.registration_client_uri, client.registration_access_token, {
				client_id: client.client_id,
				client_secret: 'guess',
				redirect_uris: [CALLBACK]
			}),
			400,
			'invalid_client_metadata'
		);
	});

	it('an oversized update → 413', async () => {
		const client = await register();
		const response = await update(client.registration_client_uri, client.registration_access_token, {
			client_id: client.client_id,
			redirect_uris: [CALLBACK],
			padding: 'x'.repeat(20_000)
		});
		await expectOAuthError(response, 413, 'invalid_client_metadata');
	});
});
