// Issue #6 finding 15: while the database is unreachable, two real instances answer 503 with
// Retry-After (the styled error page on pages, `temporarily_unavailable` on OAuth and JSON
// endpoints, RFC 6749 §4.1.2.1), log one line per outage instead of a stack per request, and
// recover by themselves. The outage is a TCP proxy between the instances and Postgres being
// cut; the machine's Postgres server is never touched. Ports: 4300-4305 (+ TEST_PORT_OFFSET).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProductionServer, testPortOffset, type ProductionServer } from '../support/production-server';
import { startTCPProxy, type TCPProxy } from '../support/tcp-proxy';
import { codeFlow, sharedDatabase, signInAt, waitFor } from '../support/faults';
import { testServerURL } from '../support/database';
import { DASHBOARD } from '../support/http';

const BROWSER = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

let proxy: TCPProxy;
let database: Awaited<ReturnType<typeof sharedDatabase>>;
let a: ProductionServer;
let b: ProductionServer;
// Two instances of one deployment share the public URLs (a load balancer's); each is reached
// here on its own listen port.
let instances: { name: string; provider: string; server: ProductionServer }[];

beforeAll(async () => {
	const server = new URL(testServerURL());
	proxy = await startTCPProxy({ host: server.hostname, port: Number(server.port || 5432) });
	database = await sharedDatabase('sso_outage');
	const url = proxy.proxied(database.url);
	const port = 4300 + testPortOffset();
	a = await startProductionServer({ port, database: { url, authSecret: database.authSecret } });
	b = await startProductionServer({ port: port + 3, urls: a.urls, database: { url, authSecret: database.authSecret } });
	instances = [
		{ name: 'A', provider: `http://localhost:${port}`, server: a },
		{ name: 'B', provider: `http://localhost:${port + 3}`, server: b }
	];
}, 120_000);

afterAll(async () => {
	await Promise.all([a?.stop(), b?.stop()]);
	await proxy?.close();
	await database?.drop();
});

function expectRetryAfter(response: Response) {
	expect(response.status).toBe(503);
	expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
}

async function expectTemporarilyUnavailable(response: Response) {
	expectRetryAfter(response);
	expect(response.headers.get('content-type')).toMatch(/^application\/json/);
	expect(response.headers.get('cache-control')).toBe('no-store');
	const body = (await response.json()) as { error?: string; error_description?: string };
	expect(body.error).toBe('temporarily_unavailable');
	expect(body.error_description).toBeTypeOf('string');
}

async function expectStyledUnavailablePage(response: Response) {
	expectRetryAfter(response);
	expect(response.headers.get('content-type')).toMatch(/^text\/html/);
	const html = await response.text();
	expect(html).toContain('Temporarily unavailable');
	expect(html).toContain('try again');
	expect(html).not.toContain('Internal Error');
}

describe('a database outage under two instances', () => {
	it('answers 503 with Retry-After everywhere, logs one line per instance, and recovers', async () => {
		const [A, B] = instances;
		const cookie = await signInAt(A.provider);
		const redirectURI = `${a.urls.site1}/auth/callback`;
		const { accessToken } = await codeFlow({ authorizeAt: A.provider, tokenAt: B.provider, cookie, redirectURI });
		for (const { provider } of instances) {
			expect((await fetch(`${provider}/readyz`)).status).toBe(200);
			expect((await fetch(`${provider}/api/auth/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } })).status).toBe(200);
		}
		const logBefore = instances.map(({ server }) => server.readLog().length);
		const authorizeQuery = new URLSearchParams({
			client_id: DASHBOARD.id,
			response_type: 'code',
			redirect_uri: redirectURI,
			scope: 'openid',
			state: 'outage',
			nonce: 'outage'
		});

		await proxy.cut();
		for (const { provider } of instances) {
			// Pages: signed in (the session lookup fails) and signed out (the client lookup fails).
			await expectStyledUnavailablePage(
				await fetch(`${provider}/api/auth/authorize?${authorizeQuery}`, { headers: { cookie, ...BROWSER }, redirect: 'manual' })
			);
			await expectStyledUnavailablePage(await fetch(`${provider}/api/auth/authorize?${authorizeQuery}`, { headers: BROWSER, redirect: 'manual' }));
			await expectStyledUnavailablePage(await fetch(`${provider}/account`, { headers: { cookie, ...BROWSER }, redirect: 'manual' }));
			// OAuth and JSON endpoints.
			await expectTemporarilyUnavailable(await fetch(`${provider}/api/auth/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } }));
			await expectTemporarilyUnavailable(
				await fetch(`${provider}/api/auth/token`, {
					method: 'POST',
					headers: { 'content-type': 'application/x-www-form-urlencoded' },
					body: new URLSearchParams({ grant_type: 'client_credentials', client_id: DASHBOARD.id, client_secret: DASHBOARD.secret })
				})
			);
			await expectTemporarilyUnavailable(await fetch(`${provider}/api/auth/session`, { headers: { cookie } }));
			// A form post with an unknown session is refused, not acted on as if signed out.
			const logout = await fetch(`${provider}/auth/logout`, {
				method: 'POST',
				headers: { cookie, origin: a.urls.provider, 'content-type': 'application/x-www-form-urlencoded', ...BROWSER },
				body: '',
				redirect: 'manual'
			});
			expectRetryAfter(logout);
			expect(logout.headers.getSetCookie()).toEqual([]);
			// Load balancer probes: alive, not ready.
			expect((await fetch(`${provider}/healthz`)).status).toBe(200);
			expectRetryAfter(await fetch(`${provider}/readyz`));
			// The public documents come from memory and stay up.
			expect((await fetch(`${provider}/.well-known/openid-configuration`)).status).toBe(200);
			expect((await fetch(`${provider}/api/auth/jwks`)).status).toBe(200);
		}
		// One line per instance for the whole outage, no stack traces.
		for (const [i, { server }] of instances.entries()) {
			const during = server.readLog().slice(logBefore[i]);
			expect(during.match(/database unavailable/g), during).toHaveLength(1);
			expect(during).not.toMatch(/^\s+at /m);
		}

		await proxy.restore();
		for (const { provider } of instances) {
			await waitFor(`${provider}/readyz`, async () => (await fetch(`${provider}/readyz`)).status === 200);
		}
		// The session survived the outage and both instances serve flows again.
		const after = await codeFlow({ authorizeAt: B.provider, tokenAt: A.provider, cookie, redirectURI });
		expect((await fetch(`${A.provider}/api/auth/userinfo`, { headers: { authorization: `Bearer ${after.accessToken}` } })).status).toBe(200);
	}, 90_000);
});
