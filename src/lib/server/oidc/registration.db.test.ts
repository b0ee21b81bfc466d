import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { basicAuthorization, createTestUser, testClock, type TestUser } from '../../../../tests/support/fixtures';
import { useTestDatabase } from '../../../../tests/support/database';
import { testProtocolContext } from '../../../../tests/support/protocol-context';
import { form, issueTestCode, rejectionOf } from '../../../../tests/support/oidc';
import { clients } from '../db/schema';
import { authenticateClient, findClient } from './clients';
import { KeyStore } from './keys';
import { registerClient, type RegistrationResponse } from './registration';
import { outboundPolicy } from '../outbound-request';
import { handleTokenRequest } from './token-endpoint';
import type { TokenContext } from './token-policy';

const database = useTestDatabase();
const clock = testClock();
const REDIRECT = 'https://app.example.org/callback';

let keys: KeyStore;
let ctx: TokenContext;
let user: TestUser;

beforeAll(async () => {
	keys = new KeyStore(database.db, 'registration-test-secret');
	ctx = testProtocolContext(database.db, keys, clock.now);
	user = await createTestUser(database.db);
});

const register = (metadata: unknown) => registerClient(database.db, metadata, clock.now());

async function clientCount(): Promise<number> {
	return (await database.db.select({ id: clients.id }).from(clients)).length;
}

/** The registration is refused with `code` (400), and no client row is written. */
async function refused(metadata: unknown, code: 'invalid_redirect_uri' | 'invalid_client_metadata') {
	const before = await clientCount();
	const error = await rejectionOf(() => register(metadata));
	expect(error.code, JSON.stringify(metadata)).toBe(code);
	expect(error.status).toBe(400);
	expect(error.description).toBeTypeOf('string');
	expect(await clientCount(), 'a refused registration stores nothing').toBe(before);
	return error;
}

describe('RFC 7591 §3.2.1: a valid registration', () => {
	let response: RegistrationResponse;

	beforeAll(async () => {
		response = await register({ redirect_uris: [REDIRECT], client_name: 'Example App' });
	});

	it('answers with client_id, client_secret, client_secret_expires_at 0, client_id_issued_at, the metadata in force and the RFC 7592 credentials', () => {
		expect(response).toEqual({
			client_id: expect.any(String),
			client_secret: expect.any(String),
			client_secret_expires_at: 0,
			client_id_issued_at: Math.floor(clock.now().getTime() / 1000),
			client_name: 'Example App',
			redirect_uris: [REDIRECT],
			post_logout_redirect_uris: [],
			token_endpoint_auth_method: 'client_secret_basic',
			grant_types: ['authorization_code', 'refresh_token'],
			response_types: ['code'],
			id_token_signed_response_alg: 'RS256',
			registration_access_token: expect.stringMatching(/^[a-z2-7]{50,}$/),
			registration_client_uri: `/api/auth/register/${response.client_id}`
		});
		// RFC 6819 §5.1.4.2.2: enough entropy that it cannot be guessed.
		expect(response.client_secret!.length).toBeGreaterThanOrEqual(32);
		expect(response.client_id.length).toBeGreaterThanOrEqual(16);
	});

	it('the new client authenticates at the token endpoint with its secret, by its registered method only (RFC 7591 §2)', async () => {
		const viaBasic = await authenticateClient(database.db, basicAuthorization(response.client_id, response.client_secret!), new Map());
		expect(viaBasic.id).toBe(response.client_id);
		const viaPost = await rejectionOf(() =>
			authenticateClient(database.db, null, form({ client_id: response.client_id, client_secret: response.client_secret }))
		);
		expect(viaPost.code).toBe('invalid_client');
		const poster = await register({ redirect_uris: [REDIRECT], token_endpoint_auth_method: 'client_secret_post' });
		expect((await authenticateClient(database.db, null, form({ client_id: poster.client_id, client_secret: poster.client_secret }))).id).toBe(poster.client_id);
	});

	it('a wrong secret, or none, is refused with invalid_client', async () => {
		const wrong = await rejectionOf(() => authenticateClient(database.db, basicAuthorization(response.client_id, 'not-the-secret'), new Map()));
		expect(wrong.code).toBe('invalid_client');
		const none = await rejectionOf(() => authenticateClient(database.db, null, form({ client_id: response.client_id })));
		expect(none.code).toBe('invalid_client');
	});

	it('the secret is stored only as a hash', async () => {
		const [row] = await database.db.select({ secretHash: clients.secretHash }).from(clients).where(eq(clients.id, response.client_id));
		expect(row.secretHash).toMatch(/^[0-9a-f]{64}$/);
		expect(row.secretHash).not.toContain(response.client_secret);
	});

	it('the stored client is never trusted (it gets the consent page)', async () => {
		expect((await findClient(database.db, response.client_id))?.trusted).toBe(false);
	});

	it('every registration gets its own client_id and client_secret', async () => {
		const other = await register({ redirect_uris: [REDIRECT] });
		expect(other.client_id).not.toBe(response.client_id);
		expect(other.client_secret).not.toBe(response.client_secret);
		expect(other.client_name).toBe('Unnamed application');
	});

	it('optional metadata is stored and echoed: post_logout_redirect_uris, backchannel_logout_uri, logo/client/policy/tos URIs, alg', async () => {
		const full = await register({
			redirect_uris: [REDIRECT, 'http://localhost:8080/cb'],
			post_logout_redirect_uris: ['https://app.example.org/'],
			backchannel_logout_uri: 'https://app.example.org/backchannel',
			logo_uri: 'https://app.example.org/logo.png',
			client_uri: 'https://app.example.org/',
			policy_uri: 'https://app.example.org/privacy',
			tos_uri: 'https://app.example.org/terms',
			id_token_signed_response_alg: 'ES256',
			token_endpoint_auth_method: 'client_secret_post',
			grant_types: ['authorization_code', 'refresh_token']
		});
		expect(full).toMatchObject({
			post_logout_redirect_uris: ['https://app.example.org/'],
			backchannel_logout_uri: 'https://app.example.org/backchannel',
			backchannel_logout_session_required: true,
			logo_uri: 'https://app.example.org/logo.png',
			id_token_signed_response_alg: 'ES256',
			token_endpoint_auth_method: 'client_secret_post',
			grant_types: ['authorization_code', 'refresh_token']
		});
		const stored = await findClient(database.db, full.client_id);
		expect(stored).toMatchObject({
			redirectURIs: [REDIRECT, 'http://localhost:8080/cb'],
			postLogoutRedirectURIs: ['https://app.example.org/'],
			backchannelLogoutURI: 'https://app.example.org/backchannel',
			idTokenSignedResponseAlg: 'ES256',
			tokenEndpointAuthMethod: 'client_secret_post',
			grantTypes: ['authorization_code', 'refresh_token'],
			policyURI: 'https://app.example.org/privacy',
			tosURI: 'https://app.example.org/terms',
			trusted: false
		});
	});
});

describe('RFC 7591 §2: public clients (token_endpoint_auth_method none)', () => {
	it('get no client_secret and no client_secret_expires_at', async () => {
		const response = await register({ redirect_uris: ['http://127.0.0.1:5555/cb'], token_endpoint_auth_method: 'none' });
		expect(response).not.toHaveProperty('client_secret');
		expect(response).not.toHaveProperty('client_secret_expires_at');
		expect(response.token_endpoint_auth_method).toBe('none');
		const [row] = await database.db.select({ secretHash: clients.secretHash }).from(clients).where(eq(clients.id, response.client_id));
		expect(row.secretHash).toBeNull();
	});

	it('identify with client_id alone; a secret sent by one is invalid_client', async () => {
		const response = await register({ redirect_uris: ['http://127.0.0.1:5555/cb'], token_endpoint_auth_method: 'none' });
		expect((await authenticateClient(database.db, null, form({ client_id: response.client_id }))).id).toBe(response.client_id);
		const error = await rejectionOf(() => authenticateClient(database.db, null, form({ client_id: response.client_id, client_secret: 'guess' })));
		expect(error.code).toBe('invalid_client');
	});

	it('cannot register client_credentials (a public client cannot keep a secret)', async () => {
		await refused({ redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none', grant_types: ['client_credentials'] }, 'invalid_client_metadata');
	});
});

describe('redirect_uris (RFC 6749 §3.1.2, RFC 8252 §7.3, RFC 7591 §3.2.2 invalid_redirect_uri)', () => {
	it.each([
		'https://app.example.org/cb',
		'https://app.example.org/cb?tenant=1',
		'http://localhost/cb',
		'http://localhost:3000/auth/callback',
		'http://127.0.0.1:49152/cb',
		'http://[::1]:8080/cb'
	])('accepts %s', async (uri) => {
		const response = await register({ redirect_uris: [uri] });
		expect(response.redirect_uris).toEqual([uri]);
		expect((await findClient(database.db, response.client_id))?.redirectURIs).toEqual([uri]);
	});

	it.each([
		['plain http on a public host', 'http://example.com/cb'],
		['http on a host that only starts with localhost', 'http://localhost.evil.example/cb'],
		['a fragment', 'https://app.example.org/cb#frag'],
		['an empty fragment', 'https://app.example.org/cb#'],
		['a relative URI', '/auth/callback'],
		['a scheme-relative URI', '//app.example.org/cb'],
		['javascript:', 'javascript:alert(1)'],
		['data:', 'data:text/html,hi'],
		['not a URI', 'not a uri'],
		['an empty string', '']
	])('refuses %s', async (_, uri) => {
		await refused({ redirect_uris: [uri] }, 'invalid_redirect_uri');
	});

	it('one bad URI among good ones refuses the whole registration', async () => {
		await refused({ redirect_uris: [REDIRECT, 'http://example.com/cb'] }, 'invalid_redirect_uri');
	});

	it.each([
		['an empty array', []],
		['missing', undefined],
		['a string instead of an array', REDIRECT],
		['a number in the array', [42]],
		['null', null]
	])('redirect_uris %s → invalid_redirect_uri', async (_, value) => {
		await refused({ redirect_uris: value }, 'invalid_redirect_uri');
	});

	it('post_logout_redirect_uris follow the same rules', async () => {
		await refused({ redirect_uris: [REDIRECT], post_logout_redirect_uris: ['http://example.com/'] }, 'invalid_redirect_uri');
		await refused({ redirect_uris: [REDIRECT], post_logout_redirect_uris: ['https://app.example.org/#x'] }, 'invalid_redirect_uri');
	});

	it('backchannel_logout_uri and the informational URIs must be https (or loopback http) → invalid_client_metadata', async () => {
		for (const field of ['backchannel_logout_uri', 'logo_uri', 'client_uri', 'policy_uri', 'tos_uri']) {
			await refused({ redirect_uris: [REDIRECT], [field]: 'http://example.com/x' }, 'invalid_client_metadata');
			await refused({ redirect_uris: [REDIRECT], [field]: 'javascript:alert(1)' }, 'invalid_client_metadata');
		}
	});
});

describe('backchannel_logout_uri: the provider POSTs there itself', () => {
	const metadata = { redirect_uris: [REDIRECT], backchannel_logout_uri: 'http://127.0.0.1:5432/x' };

	it('a provider on a public https issuer refuses a plain-http loopback URI (no requests into its own machine)', async () => {
		const error = await rejectionOf(() => registerClient(database.db, metadata, clock.now(), 'https://sso.example.com'));
		expect(error.code).toBe('invalid_client_metadata');
	});

	it.each([
		'https://169.254.169.254/latest/meta-data/',
		'https://10.0.0.5:8443/x',
		'https://192.168.1.1/',
		'https://[::ffff:169.254.169.254]/',
		'https://0.0.0.0/'
	])('%s (a private, link-local or unspecified address) is refused on any provider → invalid_client_metadata', async (uri) => {
		for (const issuer of ['https://sso.example.com', 'http://localhost:3000']) {
			const error = await rejectionOf(() => registerClient(database.db, { redirect_uris: [REDIRECT], backchannel_logout_uri: uri }, clock.now(), issuer));
			expect(error.code).toBe('invalid_client_metadata');
		}
	});

	it('an operator-allow-listed internal host is accepted (OUTBOUND_ALLOWED_HOSTS)', async () => {
		const outbound = outboundPolicy('https://sso.example.com', ['10.0.0.5:8443']);
		const response = await registerClient(
			database.db,
			{ redirect_uris: [REDIRECT], backchannel_logout_uri: 'https://10.0.0.5:8443/x' },
			clock.now(),
			'https://sso.example.com',
			{ outbound }
		);
		expect(response.backchannel_logout_uri).toBe('https://10.0.0.5:8443/x');
		// Open registration: nothing vouches for it, so its errors are never redirected unasked.
		expect((await findClient(database.db, response.client_id))?.selfRegistered).toBe(true);
	});

	it('a provider running on loopback (development) accepts one, so local demo clients get back-channel logout', async () => {
		const response = await registerClient(database.db, metadata, clock.now(), 'http://localhost:3000');
		expect(response.backchannel_logout_uri).toBe('http://127.0.0.1:5432/x');
	});
});

describe('privileged fields are refused outright (invalid_client_metadata) and store nothing', () => {
	it.each([
		['trusted', true],
		['trusted', false],
		['skip_consent', true],
		['skipConsent', true],
		['first_party', true],
		['client_id', 'internal-dashboard'],
		['client_secret', 'chosen-secret']
	])('%s: %j', async (field, value) => {
		const error = await refused({ redirect_uris: [REDIRECT], [field]: value }, 'invalid_client_metadata');
		expect(error.description).toContain(field);
	});

	it('a client_id of an existing client cannot be taken over', async () => {
		const existing = await register({ redirect_uris: [REDIRECT], client_name: 'Original' });
		await refused({ redirect_uris: ['https://attacker.example/cb'], client_id: existing.client_id }, 'invalid_client_metadata');
		expect(await findClient(database.db, existing.client_id)).toMatchObject({ name: 'Original', redirectURIs: [REDIRECT] });
	});

	it('a JSON "__proto__" member cannot make the client trusted', async () => {
		const response = await register(JSON.parse(`{"redirect_uris":["${REDIRECT}"],"__proto__":{"trusted":true,"skip_consent":true}}`));
		expect((await findClient(database.db, response.client_id))?.trusted).toBe(false);
	});
});

describe('other metadata is validated (invalid_client_metadata)', () => {
	it.each([
		['password', ['password']],
		['implicit', ['implicit']],
		['device_code', ['urn:ietf:params:oauth:grant-type:device_code']],
		['a string', 'authorization_code'],
		['a number', [1]]
	])('grant_types %s', async (_, grantTypes) => {
		await refused({ redirect_uris: [REDIRECT], grant_types: grantTypes }, 'invalid_client_metadata');
	});

	it.each([
		['token', ['token']],
		['id_token', ['id_token']],
		['code id_token', ['code id_token']],
		['code and token', ['code', 'token']],
		['a string', 'code']
	])('response_types %s', async (_, responseTypes) => {
		await refused({ redirect_uris: [REDIRECT], response_types: responseTypes }, 'invalid_client_metadata');
	});

	it.each(['none', 'HS256', 'RS512', 'PS256', 'rs256', 42])('id_token_signed_response_alg %j', async (alg) => {
		await refused({ redirect_uris: [REDIRECT], id_token_signed_response_alg: alg }, 'invalid_client_metadata');
	});

	it.each(['RS256', 'ES256', 'EdDSA'])('id_token_signed_response_alg %s is accepted and stored', async (alg) => {
		const response = await register({ redirect_uris: [REDIRECT], id_token_signed_response_alg: alg });
		expect(response.id_token_signed_response_alg).toBe(alg);
		expect((await findClient(database.db, response.client_id))?.idTokenSignedResponseAlg).toBe(alg);
	});

	it.each(['private_key_jwt', 'client_secret_jwt', 'tls_client_auth', ''])('token_endpoint_auth_method %j', async (method) => {
		await refused({ redirect_uris: [REDIRECT], token_endpoint_auth_method: method }, 'invalid_client_metadata');
	});

	it('client_name must be a string of at most 100 characters', async () => {
		await refused({ redirect_uris: [REDIRECT], client_name: 'x'.repeat(101) }, 'invalid_client_metadata');
		await refused({ redirect_uris: [REDIRECT], client_name: { en: 'App' } }, 'invalid_client_metadata');
		expect((await register({ redirect_uris: [REDIRECT], client_name: 'x'.repeat(100) })).client_name).toBe('x'.repeat(100));
	});

	it.each([
		['null', null],
		['an array', [{ redirect_uris: [REDIRECT] }]],
		['a string', 'redirect_uris=https://app.example.org/cb'],
		['a number', 7]
	])('a body that is %s, not a JSON object', async (_, body) => {
		await refused(body, 'invalid_client_metadata');
	});
});

describe('a registered client in the code flow', () => {
	it('open registration cannot register client_credentials (invalid_client_metadata); a client without it → unauthorized_client', async () => {
		await refused({ redirect_uris: [REDIRECT], grant_types: ['client_credentials'] }, 'invalid_client_metadata');
		const web = await register({ redirect_uris: [REDIRECT] });
		const error = await rejectionOf(() =>
			handleTokenRequest(ctx, basicAuthorization(web.client_id, web.client_secret!), form({ grant_type: 'client_credentials' }))
		);
		expect(error.code).toBe('unauthorized_client');
	});

	it('a refresh token the provider hands out (offline_access, default grant_types) can be used', async () => {
		// Contract: "offline_access grants get refresh_token". A token that is issued but can
		// never be redeemed is a broken promise to the client.
		const app = await register({ redirect_uris: [REDIRECT] });
		const client = await findClient(database.db, app.client_id);
		const { code } = await issueTestCode(database.db, {
			client: client!,
			userId: user.id,
			now: clock.now(),
			scope: 'openid offline_access',
			redirectURI: REDIRECT
		});
		const auth = basicAuthorization(app.client_id, app.client_secret!);
		const tokens = await handleTokenRequest(ctx, auth, form({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT }));
		expect(tokens.refresh_token).toBeTypeOf('string');
		const refreshed = await handleTokenRequest(ctx, auth, form({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }));
		expect(refreshed.access_token).toBeTypeOf('string');
	});
});
