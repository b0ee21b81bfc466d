// Attacker: anyone who can register a client (open RFC 7591 registration). Goal: make the
// provider send requests into its own network (cloud metadata, admin ports, databases) through
// the back-channel logout POST it makes when a user signs out. Issue #6 finding 3.
import { hashSecret } from '../../src/lib/server/secrets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, expectOAuthError, get, postForm, postJSON, servers } from '../support/http';
import { startProductionServer, type ProductionServer } from '../support/production-server';
import { providerSessionCookie, securityTestPort, startRecordingServer, type RecordingServer } from '../support/recording-server';

const REDIRECT = 'https://rp.example.org/callback';
const register = (base: string, backchannel: string) =>
	postJSON(`${base}/api/auth/register`, { redirect_uris: [REDIRECT], backchannel_logout_uri: backchannel });

describe('registration refuses back-channel URIs that point into private networks (shared server, issuer on localhost)', () => {
	it.each([
		'https://169.254.169.254/latest/meta-data/iam/security-credentials/',
		'https://10.0.0.5:8443/admin',
		'https://192.168.1.1/',
		'https://172.16.0.1/',
		'https://100.64.0.1/',
		'https://[::ffff:169.254.169.254]/',
		'https://[::ffff:a9fe:a9fe]/',
		'https://0.0.0.0/',
		'https://[::]/',
		'https://[fd00::1]/',
		'https://[fe80::1]/',
		'https://224.0.0.1/',
		'https://255.255.255.255/',
		'https://198.18.0.1/'
	])('%s → invalid_client_metadata', async (uri) => {
		const body = await expectOAuthError(await register(servers().provider, uri), 400, 'invalid_client_metadata');
		expect(body.error_description).toMatch(/backchannel_logout_uri/);
	});

	it('a loopback back-channel URI stays allowed here: this provider runs on localhost (development, the demo sites)', async () => {
		const response = await register(servers().provider, 'http://127.0.0.1:9/backchannel');
		expect(response.status).toBe(201);
	});
});

describe('a provider on a public issuer (https://sso.example.test)', () => {
	const ISSUER = 'https://sso.example.test';
	let server: ProductionServer;
	let base: string;
	let planted: RecordingServer;
	let allowListed: RecordingServer;

	beforeAll(async () => {
		planted = await startRecordingServer();
		allowListed = await startRecordingServer();
		const port = securityTestPort(0);
		server = await startProductionServer({
			port,
			urls: { provider: ISSUER },
			serve: 'provider',
			database: servers().driver === 'postgres' ? 'postgres' : 'pglite',
			env: { OUTBOUND_ALLOWED_HOSTS: `127.0.0.1:${allowListed.port}` }
		});
		// The launcher takes scheme and host from the configuration, so this reaches the https issuer.
		base = `http://localhost:${port}`;
		const discovery = (await (await get(`${base}/.well-known/openid-configuration`)).json()) as { issuer: string };
		expect(discovery.issuer).toBe(ISSUER);
	}, 120_000);

	afterAll(async () => {
		await server?.stop();
		await planted?.close();
		await allowListed?.close();
	});

	it.each([
		'https://localhost/backchannel',
		'https://127.0.0.1/backchannel',
		'https://127.0.0.2:8443/backchannel',
		'https://[::1]/backchannel',
		'http://127.0.0.1:9/backchannel',
		'https://[::ffff:127.0.0.1]/'
	])("registering %s (the provider's own machine) → invalid_client_metadata", async (uri) => {
		await expectOAuthError(await register(base, uri), 400, 'invalid_client_metadata');
	});

	// Registration was checked, but DNS can change afterwards (rebinding) and operators can edit
	// rows: the address is checked again when the provider is about to send. The client is
	// planted straight into the database, as if its name had resolved elsewhere at registration.
	it.runIf(servers().driver === 'postgres')(
		"at sign-out, a stored back-channel URI on the provider's own machine receives NOTHING, while an allow-listed host gets its logout token",
		async () => {
			const { default: postgres } = await import('postgres');
			const sql = postgres(server.database.url!, { max: 1, onnotice: () => {} });
			const clients = [
				{ id: `planted-${Date.now()}`, uri: `http://localhost:${planted.port}/backchannel` },
				{ id: `allowed-${Date.now()}`, uri: `http://127.0.0.1:${allowListed.port}/backchannel` }
			];
			try {
				for (const client of clients) {
					await sql`insert into oauth_client (id, secret_hash, name, redirect_uris, token_endpoint_auth_method, backchannel_logout_uri, trusted, created_at)
						values (${client.id}, ${hashSecret('s3cret')}, ${client.id}, ${sql.json([REDIRECT])}, 'client_secret_basic', ${client.uri}, true, now())`;
				}
			} finally {
				await sql.end();
			}

			const signIn = await postJSON(`${base}/api/auth/sign-in/email`, { email: DEMO.email, password: DEMO.password });
			expect(signIn.status).toBe(200);
			const cookie = providerSessionCookie(signIn);
			for (const client of clients) {
				const query = new URLSearchParams({ client_id: client.id, redirect_uri: REDIRECT, response_type: 'code', scope: 'openid', state: 's' });
				const answer = await get(`${base}/api/auth/authorize?${query}`, { cookie });
				expect(new URL(answer.headers.get('location')!).searchParams.get('code')).toBeTruthy();
			}

			const out = await postForm(`${base}/auth/logout`, {}, { cookie, origin: ISSUER, accept: 'text/html' });
			expect(out.status).toBe(303);
			expect(planted.requests).toEqual([]);
			expect(allowListed.requests).toHaveLength(1);
			expect(new URLSearchParams(allowListed.requests[0].body).get('logout_token')).toBeTruthy();
		}
	);
});
