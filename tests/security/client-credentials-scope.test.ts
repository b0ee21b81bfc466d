// Issue #6 finding 2: any registered client could give itself any scope through
// client_credentials (an anonymous registration asked for `admin billing:write` and got an
// active token with the same `aud` as every other access token). Now an operator declares the
// APIs (resource servers, RFC 8707) and what each client may ask of them; open registration
// never gets client_credentials or API scopes; an operator's initial access token
// (RFC 7591 §3) may allow more. Attacker's view: register anonymously, or stretch what the
// operator allowed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/lib/server/db/index';
import { saveClient } from '../../src/lib/server/oidc/clients';
import { createInitialAccessToken } from '../../src/lib/server/oidc/initial-access-tokens';
import { saveResourceServer } from '../../src/lib/server/oidc/resource-servers';
import { MIGRATIONS_FOLDER } from '../support/database';
import { DASHBOARD_CREDENTIALS, DEMO, expectOAuthError, postForm, postJSON, servers } from '../support/http';
import { startProductionServer, testPortOffset, type ProductionServer } from '../support/production-server';

const BILLING = 'https://billing.example.com/api';
const REPORTS = 'https://reports.example.com/api';
const MACHINE = { id: 'nightly-export', secret: 'nightly-export-secret-0123456789abcdef' };

describe('open registration (the shared server)', () => {
	const REGISTER = `${servers().provider}/api/auth/register`;

	it('grant_types client_credentials → 400 invalid_client_metadata', async () => {
		const response = await postJSON(REGISTER, { redirect_uris: ['https://app.example.org/cb'], grant_types: ['client_credentials'] });
		const body = await expectOAuthError(response, 400, 'invalid_client_metadata');
		expect(String(body.error_description)).toMatch(/initial access token/);
	});

	it('the audit\'s request: scope "admin billing:write" → 400 invalid_client_metadata', async () => {
		const response = await postJSON(REGISTER, {
			redirect_uris: ['https://app.example.org/cb'],
			grant_types: ['client_credentials'],
			scope: 'admin billing:write'
		});
		await expectOAuthError(response, 400, 'invalid_client_metadata');
		const scopeOnly = await postJSON(REGISTER, { redirect_uris: ['https://app.example.org/cb'], scope: 'admin billing:write' });
		await expectOAuthError(scopeOnly, 400, 'invalid_client_metadata');
	});

	it('a self-registered client asking for client_credentials anyway → 400 unauthorized_client, no token', async () => {
		const registration = await postJSON(REGISTER, { redirect_uris: ['https://app.example.org/cb'], token_endpoint_auth_method: 'client_secret_post' });
		const { client_id, client_secret } = (await registration.json()) as Record<string, string>;
		const response = await postForm(`${servers().provider}/api/auth/token`, {
			grant_type: 'client_credentials',
			scope: 'admin billing:write',
			client_id,
			client_secret
		});
		const body = await expectOAuthError(response, 400, 'unauthorized_client');
		expect(body).not.toHaveProperty('access_token');
	});
});

// A server of our own: the operator declares two APIs (RESOURCE_SERVERS for one, the module the
// CLI uses for the other), a machine client allowed one scope of one API, and initial access
// tokens. With PGlite that is written before the server starts (one process per data
// directory); with Postgres while it runs, as an operator's CLI would.
describe('resource servers, allowed scopes and initial access tokens (a server of its own)', () => {
	const postgres = process.env.TEST_DB === 'postgres';
	const port = 4330 + testPortOffset();
	const dir = mkdtempSync(join(tmpdir(), 'sso-cc-scope-'));
	let server: ProductionServer;
	let provider: string;
	const tokens = { once: '', open: '', expired: '' };

	async function declare(handle: DatabaseHandle) {
		const { db } = handle;
		await saveResourceServer(db, { id: BILLING, name: 'Billing API', scopes: ['billing:read', 'billing:write'] });
		await saveClient(db, {
			id: MACHINE.id,
			secret: MACHINE.secret,
			name: 'Nightly export',
			redirectURIs: ['https://export.example.com/cb'],
			tokenEndpointAuthMethod: 'client_secret_post',
			grantTypes: ['client_credentials'],
			allowedResources: [BILLING],
			allowedScopes: ['billing:read']
		});
		const policy = { grantTypes: ['client_credentials'], resources: [BILLING], scopes: ['billing:write'] };
		tokens.once = await createInitialAccessToken(db, { description: 'one partner', ...policy, uses: 1 });
		tokens.open = await createInitialAccessToken(db, { description: 'team', ...policy });
		tokens.expired = await createInitialAccessToken(db, { description: 'old', ...policy, expiresAt: new Date(Date.now() - 60_000) });
		await handle.close();
	}

	beforeAll(async () => {
		// Open registration off: registering then needs an operator's initial access token.
		const env = {
			RESOURCE_SERVERS: JSON.stringify([{ id: REPORTS, name: 'Reports API', scopes: ['reports:read'] }]),
			ALLOW_DYNAMIC_CLIENT_REGISTRATION: 'false'
		};
		if (postgres) {
			server = await startProductionServer({ port, database: 'postgres', serve: 'provider', env });
			await declare(await openDatabase({ url: server.database.url, maxConnections: 2 }, MIGRATIONS_FOLDER));
		} else {
			await declare(await openDatabase({ dataDir: join(dir, 'pglite') }, MIGRATIONS_FOLDER));
			server = await startProductionServer({ port, serve: 'provider', env: { ...env, PGLITE_DIR: join(dir, 'pglite') } });
		}
		provider = server.urls.provider;
	}, 180_000);

	afterAll(async () => {
		await server?.stop();
		rmSync(dir, { recursive: true, force: true });
	});

	const clientCredentials = (fields: Record<string, string>, client = MACHINE) =>
		postForm(`${provider}/api/auth/token`, { grant_type: 'client_credentials', client_id: client.id, client_secret: client.secret, ...fields });

	it('an allowed scope → a token whose aud is the API, never the UserInfo audience; introspection reports that aud', async () => {
		const response = await clientCredentials({ scope: 'billing:read' });
		expect(response.status).toBe(200);
		const { access_token, scope } = (await response.json()) as { access_token: string; scope: string };
		expect(scope).toBe('billing:read');
		const claims = decodeJwt(access_token);
		expect(claims.aud).toBe(BILLING);
		expect(claims.aud).not.toBe(`${provider}/api/auth/userinfo`);
		const introspection = (await (
			await postForm(`${provider}/api/auth/introspect`, { token: access_token, client_id: MACHINE.id, client_secret: MACHINE.secret })
		).json()) as Record<string, unknown>;
		expect(introspection).toMatchObject({ active: true, aud: BILLING, scope: 'billing:read', client_id: MACHINE.id, sub: MACHINE.id });
	});

	it('the API token is refused at UserInfo (401 invalid_token): it is not for that resource', async () => {
		const { access_token } = (await (await clientCredentials({ resource: BILLING })).json()) as { access_token: string };
		const userinfo = await fetch(`${provider}/api/auth/userinfo`, { headers: { authorization: `Bearer ${access_token}` } });
		expect(userinfo.status).toBe(401);
	});

	it('a scope the API defines but the client was not allowed, or one nobody defines → 400 invalid_scope', async () => {
		await expectOAuthError(await clientCredentials({ scope: 'billing:write' }), 400, 'invalid_scope');
		await expectOAuthError(await clientCredentials({ scope: 'admin' }), 400, 'invalid_scope');
		await expectOAuthError(await clientCredentials({ scope: 'billing:read admin' }), 400, 'invalid_scope');
	});

	it('another declared API (from RESOURCE_SERVERS), an unknown one, or a malformed resource → 400 invalid_target', async () => {
		for (const resource of [REPORTS, 'https://evil.example/api', 'not-a-uri']) {
			await expectOAuthError(await clientCredentials({ resource }), 400, 'invalid_target');
		}
	});

	it('with ALLOW_DYNAMIC_CLIENT_REGISTRATION=false, anonymous registration → 403; an initial access token still registers', async () => {
		const metadata = { redirect_uris: ['https://partner.example.com/cb'] };
		expect((await postJSON(`${provider}/api/auth/register`, metadata)).status).toBe(403);
		expect((await postJSON(`${provider}/api/auth/register`, metadata, { authorization: `Bearer ${tokens.open}` })).status).toBe(201);
	});

	it('registration with a bogus or expired initial access token → 401 invalid_token', async () => {
		const metadata = { redirect_uris: ['https://partner.example.com/cb'], grant_types: ['client_credentials'], scope: 'billing:write' };
		for (const token of ['made-up-token', tokens.expired]) {
			await expectOAuthError(await postJSON(`${provider}/api/auth/register`, metadata, { authorization: `Bearer ${token}` }), 401, 'invalid_token');
		}
	});

	it('an initial access token allows client_credentials with its API scopes; the client gets tokens for that API; a one-use token works once', async () => {
		const metadata = {
			redirect_uris: ['https://partner.example.com/cb'],
			grant_types: ['client_credentials'],
			scope: 'billing:write',
			token_endpoint_auth_method: 'client_secret_post',
			client_name: 'Partner sync'
		};
		const registration = await postJSON(`${provider}/api/auth/register`, metadata, { authorization: `Bearer ${tokens.once}` });
		expect(registration.status).toBe(201);
		const partner = (await registration.json()) as { client_id: string; client_secret: string; scope: string; grant_types: string[] };
		expect(partner).toMatchObject({ scope: 'billing:write', grant_types: ['client_credentials'] });
		const response = await clientCredentials({ scope: 'billing:write' }, { id: partner.client_id, secret: partner.client_secret });
		expect(response.status).toBe(200);
		const claims = decodeJwt(((await response.json()) as { access_token: string }).access_token);
		expect([claims.aud, claims.scope]).toEqual([BILLING, 'billing:write']);
		// Used up: the same token registers nothing more.
		await expectOAuthError(await postJSON(`${provider}/api/auth/register`, metadata, { authorization: `Bearer ${tokens.once}` }), 401, 'invalid_token');
	});

	it('an initial access token allows only what it names: another scope → 400 invalid_client_metadata', async () => {
		const metadata = { redirect_uris: ['https://partner.example.com/cb'], grant_types: ['client_credentials'], scope: 'billing:read' };
		await expectOAuthError(
			await postJSON(`${provider}/api/auth/register`, metadata, { authorization: `Bearer ${tokens.open}` }),
			400,
			'invalid_client_metadata'
		);
	});

	it('a client registered with an initial access token is not labelled unverified on the consent page', async () => {
		const registration = await postJSON(
			`${provider}/api/auth/register`,
			{
				redirect_uris: ['https://partner.example.com/cb'],
				grant_types: ['authorization_code', 'client_credentials'],
				scope: 'billing:write',
				client_name: 'Vetted partner'
			},
			{ authorization: `Bearer ${tokens.open}` }
		);
		const { client_id } = (await registration.json()) as { client_id: string };
		const signIn = await postJSON(`${provider}/api/auth/sign-in/email`, { email: DEMO.email, password: DEMO.password });
		const cookie = signIn.headers
			.getSetCookie()
			.find((c) => c.startsWith('op_session='))!
			.split(';')[0];
		const query = new URLSearchParams({ client_id, redirect_uri: 'https://partner.example.com/cb', response_type: 'code', scope: 'openid', state: 's' });
		const first = await fetch(`${provider}/api/auth/authorize?${query}`, { headers: { cookie }, redirect: 'manual' });
		const page = await fetch(new URL(first.headers.get('location')!, provider), { headers: { cookie } });
		const html = await page.text();
		expect(html).toContain('Vetted partner');
		expect(html).not.toContain('Unverified application');
	});

	it('user sign-in tokens never become API tokens: API scopes and resource in an authorization request are ignored (aud stays UserInfo)', async () => {
		const signIn = await postJSON(`${provider}/api/auth/sign-in/email`, { email: DEMO.email, password: DEMO.password });
		const cookie = signIn.headers
			.getSetCookie()
			.find((c) => c.startsWith('op_session='))!
			.split(';')[0];
		const site1 = server.urls.site1;
		const query = new URLSearchParams({
			client_id: 'internal-dashboard',
			redirect_uri: `${site1}/auth/callback`,
			response_type: 'code',
			scope: 'openid billing:write',
			resource: BILLING,
			state: 's'
		});
		const answer = await fetch(`${provider}/api/auth/authorize?${query}`, { headers: { cookie }, redirect: 'manual' });
		const code = new URL(answer.headers.get('location')!).searchParams.get('code')!;
		const response = await postForm(`${provider}/api/auth/token`, {
			grant_type: 'authorization_code',
			code,
			redirect_uri: `${site1}/auth/callback`,
			...DASHBOARD_CREDENTIALS
		});
		const { access_token, scope } = (await response.json()) as { access_token: string; scope: string };
		expect(scope).toBe('openid');
		expect(decodeJwt(access_token).aud).toBe(`${provider}/api/auth/userinfo`);
	});
});
