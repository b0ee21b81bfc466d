// The session JWT for first-party frontends (GET /api/auth/token) and a backend that trusts it
// only after JWKS verification (a demo site's /api/whoami).
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { codeFor, DASHBOARD_CREDENTIALS, DEMO, get, servers, signIn, tokenRequest } from '../support/http';

const { provider, site1, site2 } = servers();

interface SessionToken {
	token: string;
	expires_in: number;
}

async function sessionJWT(cookie: string, headers: Record<string, string> = {}): Promise<{ response: Response; body: SessionToken }> {
	const response = await get(`${provider}/api/auth/token`, { cookie, ...headers });
	return { response, body: (await response.json()) as SessionToken };
}

async function jwksURI(): Promise<string> {
	return ((await (await get(`${provider}/.well-known/openid-configuration`)).json()) as { jwks_uri: string }).jwks_uri;
}

const whoami = (site: string, token: string) => get(`${site}/api/whoami`, { authorization: `Bearer ${token}` });

describe('GET /api/auth/token (session JWT)', () => {
	it('with the op_session cookie: {token, expires_in 900}, no-store; the token verifies through the JWKS with issuer = audience = provider', async () => {
		const { response, body } = await sessionJWT(await signIn());
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toMatch(/^application\/json/);
		expect(response.headers.get('cache-control')).toBe('no-store');
		expect(body.expires_in).toBe(900);
		const header = decodeProtectedHeader(body.token);
		expect(header).toMatchObject({ alg: 'RS256', typ: 'JWT' });
		expect(header.kid).toBeTypeOf('string');
		const { payload } = await jwtVerify(body.token, createRemoteJWKSet(new URL(await jwksURI())), { issuer: provider, audience: provider, typ: 'JWT' });
		expect(payload).toMatchObject({ email: DEMO.email, email_verified: true, name: DEMO.name });
		expect(payload.sub).toBeTypeOf('string');
		expect(payload.sid).toBeTypeOf('string');
		expect((payload.exp as number) - (payload.iat as number)).toBe(900);
	});

	it('without a session cookie → 401 JSON', async () => {
		const response = await get(`${provider}/api/auth/token`);
		expect(response.status).toBe(401);
		expect(response.headers.get('content-type')).toMatch(/^application\/json/);
		expect(response.headers.get('cache-control')).toBe('no-store');
		expect(await response.json()).toMatchObject({ error: 'unauthenticated' });
	});

	it("with a signed-out session's cookie → 401", async () => {
		const cookie = await signIn();
		await fetch(`${provider}/auth/logout`, {
			method: 'POST',
			headers: { cookie, origin: provider, 'content-type': 'application/x-www-form-urlencoded' },
			body: '',
			redirect: 'manual'
		});
		expect((await get(`${provider}/api/auth/token`, { cookie })).status).toBe(401);
	});

	it.each([
		['site1', () => site1],
		['site2', () => site2]
	])("CORS: Origin = %s (a trusted client's origin) → Access-Control-Allow-Origin = it, with credentials", async (_, origin) => {
		const { response } = await sessionJWT(await signIn(), { origin: origin() });
		expect(response.headers.get('access-control-allow-origin')).toBe(origin());
		expect(response.headers.get('access-control-allow-credentials')).toBe('true');
		expect(response.headers.get('vary')).toMatch(/Origin/i);
	});

	it('CORS: the 401 for a site without a session carries the headers too (the page can read the error)', async () => {
		const response = await get(`${provider}/api/auth/token`, { origin: site1 });
		expect(response.status).toBe(401);
		expect(response.headers.get('access-control-allow-origin')).toBe(site1);
	});

	it.each(['https://evil.example', 'null', `${site1}.evil.example`, site1.replace('localhost', '127.0.0.1')])(
		'CORS: Origin = %s → no Access-Control-Allow-Origin',
		async (origin) => {
			const { response } = await sessionJWT(await signIn(), { origin });
			expect(response.headers.get('access-control-allow-origin')).toBeNull();
			expect(response.headers.get('access-control-allow-credentials')).toBeNull();
		}
	);
});

describe("a demo site's API (GET /api/whoami) accepts only a verified session JWT", () => {
	it('Bearer session JWT → 200 with sub, email, name, expiresAt', async () => {
		const { body } = await sessionJWT(await signIn());
		const response = await whoami(site1, body.token);
		expect(response.status).toBe(200);
		const json = (await response.json()) as Record<string, unknown>;
		expect(json).toMatchObject({ email: DEMO.email, name: DEMO.name });
		expect(json.sub).toBeTypeOf('string');
		expect(json.expiresAt).toBeTypeOf('number');
	});

	it('the other site accepts the same token (audience is the provider, not a site)', async () => {
		const { body } = await sessionJWT(await signIn());
		expect((await whoami(site2, body.token)).status).toBe(200);
	});

	it('an access token (typ at+jwt) → 401', async () => {
		const code = await codeFor();
		const tokens = (await (
			await tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: `${site1}/auth/callback`, ...DASHBOARD_CREDENTIALS })
		).json()) as {
			access_token: string;
			id_token: string;
		};
		const response = await whoami(site1, tokens.access_token);
		expect(response.status).toBe(401);
		expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
		expect(await response.json()).toMatchObject({ error: 'invalid_token' });
		// An ID token (typ JWT, but aud = the client) too.
		expect((await whoami(site1, tokens.id_token)).status).toBe(401);
	});

	it.each([
		['garbage', 'garbage'],
		['a tampered session JWT', null]
	])('%s → 401', async (_, value) => {
		let token = value;
		if (token === null) {
			const { body } = await sessionJWT(await signIn());
			const [h, p, s] = body.token.split('.');
			const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
			token = `${h}.${Buffer.from(JSON.stringify({ ...payload, email: 'admin@example.com' })).toString('base64url')}.${s}`;
		}
		expect((await whoami(site1, token)).status).toBe(401);
	});

	it('no Authorization header → 401 with a Bearer challenge', async () => {
		const response = await get(`${site1}/api/whoami`);
		expect(response.status).toBe(401);
		expect(response.headers.get('www-authenticate')).toBe('Bearer');
	});
});
