// The Python API (examples/python-api/) against the production build: the second seed's
// backend, which trusts the provider's session JWTs only through the published JWKS, with
// PyJWT from Debian's python3-jwt run by Debian's /usr/bin/python3.
//
// Key rotation needs the operator's CLI on the server's database while it runs, so the
// provider runs on Postgres (this file is in the `postgres` project). Ports 4540-4549
// (+ TEST_PORT_OFFSET, +100 in the postgres project).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPair, exportJWK, SignJWT, decodeProtectedHeader } from 'jose';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardTokensAt } from '../support/http';
import { signInAt, waitFor } from '../support/faults';
import { serveJWKS, type JWKSServer } from '../support/jwks-server';
import { ROOT, startProductionServer, stopProcess, testPortOffset, type ProductionServer } from '../support/production-server';

const PYTHON = '/usr/bin/python3';
const run = promisify(execFile);
// Compressed key timing: a rotated key signs 3 s after it is published.
const KEY_TIMING = { KEY_PUBLISH_BEFORE_USE_SECONDS: '3', KEY_CACHE_SECONDS: '1' };

let server: ProductionServer;
let api: { url: string; child: ChildProcess; output: () => string };

/** Starts examples/python-api/app.py and waits for its "listening" line. */
async function startPythonAPI(port: number, env: Record<string, string>) {
	const child = spawn(PYTHON, ['examples/python-api/app.py'], {
		cwd: ROOT,
		env: { PATH: process.env.PATH ?? '', PYTHON_API_PORT: String(port), ...env },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let output = '';
	child.stdout!.on('data', (chunk) => (output += chunk));
	child.stderr!.on('data', (chunk) => (output += chunk));
	await waitFor(`the Python API on :${port} (${output.slice(-500)})`, async () => {
		if (child.exitCode !== null) throw new Error(`app.py exited with ${child.exitCode}: ${output}`);
		return /listening on/.test(output);
	});
	return { url: `http://127.0.0.1:${port}`, child, output: () => output };
}

async function sessionJWT(provider: string, cookie: string): Promise<string> {
	const response = await fetch(`${provider}/api/auth/token`, { headers: { cookie } });
	expect(response.status).toBe(200);
	return ((await response.json()) as { token: string }).token;
}

function whoami(token: string, headers: Record<string, string> = {}) {
	return fetch(`${api.url}/whoami`, { headers: { authorization: `Bearer ${token}`, ...headers } });
}

beforeAll(async () => {
	const { stdout } = await run(PYTHON, ['-c', 'import jwt; print(jwt.__version__)']).catch((error: Error) => {
		throw new Error(`${PYTHON} cannot import PyJWT: install Debian's python3-jwt (apt-get install -y python3-jwt). ${error.message}`);
	});
	expect(stdout.trim()).toMatch(/^2\./);
	const port = 4540 + testPortOffset();
	server = await startProductionServer({ port, database: 'postgres', env: KEY_TIMING });
	api = await startPythonAPI(port + 5, { PROVIDER_URL: server.urls.provider, PYTHON_API_ORIGINS: server.urls.site1 });
}, 120_000);

afterAll(async () => {
	if (api) await stopProcess(api.child);
	await server?.stop();
});

describe('the Python API verifies session JWTs through the JWKS', () => {
	it('accepts the session JWT of a signed-in user and says who is calling', async () => {
		const cookie = await signInAt(server.urls.provider);
		const response = await whoami(await sessionJWT(server.urls.provider, cookie));
		expect(response.status).toBe(200);
		expect(await response.json()).toMatchObject({ email: 'demo@example.com', name: 'Demo User', sub: expect.any(String) });
	});

	it('refuses a token whose payload was changed (the signature no longer verifies)', async () => {
		const token = await sessionJWT(server.urls.provider, await signInAt(server.urls.provider));
		const [header, payload, signature] = token.split('.');
		const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
		const forged = Buffer.from(JSON.stringify({ ...claims, email: 'admin@example.com' })).toString('base64url');
		const response = await whoami(`${header}.${forged}.${signature}`);
		expect(response.status).toBe(401);
		expect(response.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
		expect(await response.json()).toMatchObject({ error: 'invalid_token', message: expect.stringMatching(/signature/) });
	});

	it('refuses a token the provider signed for another audience (an ID token for the dashboard)', async () => {
		const { id_token } = await dashboardTokensAt(server.urls.provider, server.urls.site1);
		const response = await whoami(id_token);
		expect(response.status).toBe(401);
		expect(await response.json()).toMatchObject({ error: 'invalid_token', message: expect.stringMatching(/not for this API/) });
	});

	it('refuses a missing token with a Bearer challenge, and garbage with invalid_token', async () => {
		const missing = await fetch(`${api.url}/whoami`);
		expect(missing.status).toBe(401);
		expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer /);
		const garbage = await whoami('not-a-jwt');
		expect(garbage.status).toBe(401);
		expect(await garbage.json()).toMatchObject({ error: 'invalid_token' });
	});

	it('answers CORS for the demo site only, so the site can call it from the browser', async () => {
		const preflight = (origin: string) =>
			fetch(`${api.url}/whoami`, {
				method: 'OPTIONS',
				headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' }
			});
		const allowed = await preflight(server.urls.site1);
		expect(allowed.headers.get('access-control-allow-origin')).toBe(server.urls.site1);
		expect(allowed.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
		expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
	});

	it('a token signed by a key rotated in after the API cached the JWKS still verifies (refetch on the unknown kid)', async () => {
		const cookie = await signInAt(server.urls.provider);
		const before = await sessionJWT(server.urls.provider, cookie);
		expect((await whoami(before)).status).toBe(200); // the API has the JWKS cached now
		const { stdout } = await run(process.execPath, ['scripts/cli.js', 'keys', 'rotate'], {
			cwd: ROOT,
			timeout: 60_000,
			env: { ...process.env, DATABASE_URL: server.database.url, AUTH_SECRET: server.database.authSecret, PGLITE_DIR: '', ...KEY_TIMING }
		});
		expect(stdout).toMatch(/published next keys/);
		let after = before;
		await waitFor(
			'a session JWT signed by the new key',
			async () => {
				after = await sessionJWT(server.urls.provider, cookie);
				return decodeProtectedHeader(after).kid !== decodeProtectedHeader(before).kid;
			},
			30_000
		);
		const response = await whoami(after);
		expect(response.status, api.output().slice(-1000)).toBe(200);
		// The old key stays published until its tokens expire: the earlier token still works.
		expect((await whoami(before)).status).toBe(200);
	});
});

describe('the Python API refuses tokens a JWKS-verifying backend must refuse', () => {
	// A test issuer with its own published key, so the test can sign what the provider never would.
	const ISSUER = 'https://issuer.test';
	let jwks: JWKSServer;
	let local: typeof api;
	let privateKey: CryptoKey;

	beforeAll(async () => {
		const pair = await generateKeyPair('RS256');
		privateKey = pair.privateKey;
		const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
		jwks = await serveJWKS(() => JSON.stringify({ keys: [jwk] }));
		local = await startPythonAPI(4546 + testPortOffset(), { PROVIDER_URL: ISSUER, PYTHON_API_JWKS_URI: jwks.url });
	});

	afterAll(async () => {
		if (local) await stopProcess(local.child);
		await jwks?.close();
	});

	const sign = (claims: Record<string, unknown>, expiresAt: number) =>
		new SignJWT(claims)
			.setProtectedHeader({ alg: 'RS256', kid: 'test-key', typ: 'JWT' })
			.setIssuer(ISSUER)
			.setAudience(ISSUER)
			.setSubject('u1')
			.setIssuedAt(expiresAt - 900)
			.setExpirationTime(expiresAt)
			.sign(privateKey);
	const call = (token: string) => fetch(`${local.url}/whoami`, { headers: { authorization: `Bearer ${token}` } });

	it('accepts a fresh token and refuses the same token once it has expired (beyond the 30 s clock skew)', async () => {
		const now = Math.floor(Date.now() / 1000);
		expect((await call(await sign({ email: 'a@example.com' }, now + 600))).status).toBe(200);
		const expired = await call(await sign({ email: 'a@example.com' }, now - 120));
		expect(expired.status).toBe(401);
		expect(await expired.json()).toMatchObject({ error: 'invalid_token', message: 'the token has expired' });
	});

	it('refuses alg "none" and HS256 signed with the public key (algorithm confusion: RFC 8725 §3.1)', async () => {
		const claims = { iss: ISSUER, aud: ISSUER, sub: 'u1', iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 600 };
		const base64url = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
		const unsigned = `${base64url({ alg: 'none', kid: 'test-key' })}.${base64url(claims)}.`;
		const none = await call(unsigned);
		expect(none.status).toBe(401);
		expect(await none.json()).toMatchObject({ message: expect.stringMatching(/algorithm 'none' is not accepted/) });
		const publicJWK = JSON.parse(await (await fetch(jwks.url)).text()).keys[0];
		const hs256 = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: 'test-key' }).sign(new TextEncoder().encode(JSON.stringify(publicJWK)));
		const confused = await call(hs256);
		expect(confused.status).toBe(401);
		expect(await confused.json()).toMatchObject({ message: expect.stringMatching(/algorithm 'HS256' is not accepted/) });
	});

	it('refuses a token from another issuer and a token without kid', async () => {
		const now = Math.floor(Date.now() / 1000);
		const other = await new SignJWT({})
			.setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
			.setIssuer('https://other.test')
			.setAudience(ISSUER)
			.setSubject('u1')
			.setIssuedAt(now)
			.setExpirationTime(now + 600)
			.sign(privateKey);
		expect(await (await call(other)).json()).toMatchObject({ error: 'invalid_token', message: `the token was not issued by ${ISSUER}` });
		const noKid = await new SignJWT({})
			.setProtectedHeader({ alg: 'RS256' })
			.setIssuer(ISSUER)
			.setAudience(ISSUER)
			.setSubject('u1')
			.setIssuedAt(now)
			.setExpirationTime(now + 600)
			.sign(privateKey);
		expect(await (await call(noKid)).json()).toMatchObject({ error: 'invalid_token', message: expect.stringMatching(/no kid/) });
	});
});
