import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ProviderMetadata } from './discovery';
import { finishSignIn, SIGN_IN_SCOPES, SignInFailed, startSignIn, type PendingSignIn } from './flow';

const ISSUER = 'http://localhost:3000';
const PROVIDER: ProviderMetadata & { authorization_response_iss_parameter_supported: boolean } = {
	issuer: ISSUER,
	authorization_endpoint: `${ISSUER}/api/auth/authorize`,
	token_endpoint: `${ISSUER}/api/auth/token`,
	userinfo_endpoint: `${ISSUER}/api/auth/userinfo`,
	jwks_uri: `${ISSUER}/api/auth/jwks`,
	authorization_response_iss_parameter_supported: true
};
const RP = {
	clientId: 'team-wiki',
	clientSecret: 'secret-for-team-wiki',
	redirectURI: 'http://localhost:3002/auth/callback',
	tokenEndpointAuthMethod: 'client_secret_basic'
} as const;
const POST_RP = {
	clientId: 'internal-dashboard',
	clientSecret: 'secret-for-internal-dashboard',
	redirectURI: 'http://localhost:3001/auth/callback',
	tokenEndpointAuthMethod: 'client_secret_post'
} as const;
const PENDING: PendingSignIn = { state: 'state-abc', nonce: 'nonce-def', codeVerifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk' };

let fetchCalls: Request[];
let fetchResponse: () => Response;

beforeEach(() => {
	fetchCalls = [];
	fetchResponse = () => {
		throw new Error('this test must not reach the network');
	};
	vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
		fetchCalls.push(new Request(input, init));
		return fetchResponse();
	});
});

afterEach(() => {
	vi.unstubAllGlobals();
});

function callback(params: Record<string, string>): URLSearchParams {
	return new URLSearchParams(params);
}

async function failure(pending: PendingSignIn | null, params: Record<string, string>): Promise<SignInFailed> {
	try {
		await finishSignIn(RP, PROVIDER, pending, callback(params));
	} catch (error) {
		expect(error).toBeInstanceOf(SignInFailed);
		return error as SignInFailed;
	}
	throw new Error('expected finishSignIn to fail');
}

describe('startSignIn: the authorization request (OIDC Core §3.1.2.1, RFC 7636)', () => {
	it("goes to the provider's authorization endpoint with response_type=code, client_id, redirect_uri and scope openid profile email", () => {
		const { url } = startSignIn(RP, PROVIDER);
		expect(url.origin + url.pathname).toBe(PROVIDER.authorization_endpoint);
		expect(url.searchParams.get('response_type')).toBe('code');
		expect(url.searchParams.get('client_id')).toBe(RP.clientId);
		expect(url.searchParams.get('redirect_uri')).toBe(RP.redirectURI);
		expect(url.searchParams.get('scope')).toBe('openid profile email');
		expect(SIGN_IN_SCOPES).toEqual(['openid', 'profile', 'email']);
	});

	it('carries state and nonce, and an S256 code_challenge of the remembered verifier', () => {
		const { url, pending } = startSignIn(RP, PROVIDER);
		expect(url.searchParams.get('state')).toBe(pending.state);
		expect(url.searchParams.get('nonce')).toBe(pending.nonce);
		expect(url.searchParams.get('code_challenge_method')).toBe('S256');
		expect(url.searchParams.get('code_challenge')).toBe(createHash('sha256').update(pending.codeVerifier).digest('base64url'));
		expect(pending.codeVerifier).toMatch(/^[A-Za-z0-9\-._~]{43,128}$/);
		expect(url.searchParams.has('client_secret')).toBe(false);
		for (const key of new Set(url.searchParams.keys())) expect(url.searchParams.getAll(key), key).toHaveLength(1);
	});

	it('state, nonce and verifier are fresh each time, and long enough to guess at no better than chance', () => {
		const a = startSignIn(RP, PROVIDER).pending;
		const b = startSignIn(RP, PROVIDER).pending;
		expect(a.state).not.toBe(b.state);
		expect(a.nonce).not.toBe(b.nonce);
		expect(a.codeVerifier).not.toBe(b.codeVerifier);
		expect(a.state.length).toBeGreaterThanOrEqual(22);
		expect(a.nonce).not.toBe(a.state);
	});
});

describe('finishSignIn: the callback (RFC 6749 §4.1.2, RFC 9207)', () => {
	it('no pending sign-in (no flow cookie) → refused without a token request', async () => {
		const error = await failure(null, { code: 'c', state: PENDING.state, iss: ISSUER });
		expect(error.message).toMatch(/stale|start again/i);
		expect(fetchCalls).toHaveLength(0);
	});

	it('a wrong state → refused without a token request', async () => {
		const error = await failure(PENDING, { code: 'c', state: 'other-state', iss: ISSUER });
		expect(error.message).toMatch(/stale|start again/i);
		expect(fetchCalls).toHaveLength(0);
	});

	it('a missing state → refused', async () => {
		await failure(PENDING, { code: 'c', iss: ISSUER });
		expect(fetchCalls).toHaveLength(0);
	});

	it('RFC 9207: a wrong iss → refused (mix-up defence)', async () => {
		const error = await failure(PENDING, { code: 'c', state: PENDING.state, iss: 'http://evil.example' });
		expect(error.message).toMatch(/expected provider/);
		expect(fetchCalls).toHaveLength(0);
	});

	it('RFC 9207 §2.4: a missing iss is refused when the provider advertises authorization_response_iss_parameter_supported', async () => {
		await failure(PENDING, { code: 'c', state: PENDING.state });
		expect(fetchCalls).toHaveLength(0);
	});

	it("surfaces the provider's error and description", async () => {
		const error = await failure(PENDING, { error: 'access_denied', error_description: 'the user denied the request', state: PENDING.state, iss: ISSUER });
		expect(error.message).toContain('the user denied the request');
		expect(fetchCalls).toHaveLength(0);
	});

	it("surfaces the provider's error code when there is no description", async () => {
		const error = await failure(PENDING, { error: 'login_required', state: PENDING.state, iss: ISSUER });
		expect(error.message).toContain('login_required');
	});

	it('a provider error with a wrong state is treated as stale, not shown', async () => {
		const error = await failure(PENDING, { error: 'access_denied', error_description: 'injected text', state: 'other', iss: ISSUER });
		expect(error.message).not.toContain('injected text');
	});

	it('no code → refused', async () => {
		const error = await failure(PENDING, { state: PENDING.state, iss: ISSUER });
		expect(error.message).toMatch(/code/);
		expect(fetchCalls).toHaveLength(0);
	});

	it('exchanges the code at the token endpoint with client_secret_basic, redirect_uri and code_verifier', async () => {
		fetchResponse = () => Response.json({ access_token: 'at', token_type: 'Bearer', expires_in: 3600, id_token: 'idt' });
		const tokens = await finishSignIn(RP, PROVIDER, PENDING, callback({ code: 'the-code', state: PENDING.state, iss: ISSUER }));
		expect(tokens).toEqual({ idToken: 'idt', accessToken: 'at' });
		expect(fetchCalls).toHaveLength(1);
		const [request] = fetchCalls;
		expect(request.method).toBe('POST');
		expect(request.url).toBe(PROVIDER.token_endpoint);
		expect(request.headers.get('authorization')).toBe(`Basic ${Buffer.from(`${RP.clientId}:${RP.clientSecret}`).toString('base64')}`);
		const body = new URLSearchParams(await request.text());
		expect(Object.fromEntries(body)).toMatchObject({
			grant_type: 'authorization_code',
			code: 'the-code',
			redirect_uri: RP.redirectURI,
			code_verifier: PENDING.codeVerifier
		});
		expect(body.has('client_secret')).toBe(false);
	});

	it('a client_secret_post client sends client_id and client_secret in the body, and no Authorization header', async () => {
		fetchResponse = () => Response.json({ access_token: 'at', token_type: 'Bearer', expires_in: 3600, id_token: 'idt' });
		const tokens = await finishSignIn(POST_RP, PROVIDER, PENDING, callback({ code: 'the-code', state: PENDING.state, iss: ISSUER }));
		expect(tokens).toEqual({ idToken: 'idt', accessToken: 'at' });
		const [request] = fetchCalls;
		expect(request.method).toBe('POST');
		expect(request.url).toBe(PROVIDER.token_endpoint);
		expect(request.headers.get('authorization')).toBeNull();
		expect(Object.fromEntries(new URLSearchParams(await request.text()))).toEqual({
			grant_type: 'authorization_code',
			code: 'the-code',
			redirect_uri: POST_RP.redirectURI,
			code_verifier: PENDING.codeVerifier,
			client_id: POST_RP.clientId,
			client_secret: POST_RP.clientSecret
		});
	});

	it("a refused client_secret_post exchange surfaces the token endpoint's error_description", async () => {
		fetchResponse = () => Response.json({ error: 'invalid_client', error_description: 'client authentication failed' }, { status: 401 });
		await expect(finishSignIn(POST_RP, PROVIDER, PENDING, callback({ code: 'the-code', state: PENDING.state, iss: ISSUER }))).rejects.toThrow(
			/client authentication failed/
		);
	});

	it("a refused exchange surfaces the token endpoint's error_description", async () => {
		fetchResponse = () => Response.json({ error: 'invalid_grant', error_description: 'the authorization code has expired' }, { status: 400 });
		const error = await failure(PENDING, { code: 'the-code', state: PENDING.state, iss: ISSUER });
		expect(error.message).toContain('the authorization code has expired');
	});
});
