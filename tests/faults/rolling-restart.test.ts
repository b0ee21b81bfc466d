// Issue #6 finding 16: a rolling restart loses no request. Two real instances on one Postgres
// behind a load balancer modelled here the way common ones behave (round robin over instances
// whose /readyz answers 200, polled every 200 ms; a refused connection is retried on another
// instance, as nothing was sent). SIGTERM one instance while requests run, including one
// whose body is still arriving: readiness fails at once, every accepted request is answered,
// the process exits 0 after closing its database pool. Then the same for the other instance.
// Ports: 4310-4315 (+ TEST_PORT_OFFSET).
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProductionServer, testPortOffset, type ProductionServer } from '../support/production-server';
import { sharedDatabase, signInAt, waitFor } from '../support/faults';
import { DASHBOARD, DASHBOARD_CREDENTIALS } from '../support/http';

const ENV = { SHUTDOWN_DELAY_SECONDS: '1', SHUTDOWN_TIMEOUT_SECONDS: '20' };
const MAX_REQUESTS = 3000;

interface Instance {
	name: string;
	port: number;
	provider: string;
	server: ProductionServer;
	inRotation: boolean;
}

let database: Awaited<ReturnType<typeof sharedDatabase>>;
const instances: Instance[] = [];
let publicURLs: ProductionServer['urls'];

async function startInstance(name: string, port: number): Promise<Instance> {
	const server = await startProductionServer({
		port,
		...(publicURLs ? { urls: publicURLs } : {}),
		database: { url: database.url, authSecret: database.authSecret },
		env: ENV
	});
	publicURLs ??= server.urls;
	return { name, port, provider: `http://localhost:${port}`, server, inRotation: false };
}

beforeAll(async () => {
	database = await sharedDatabase('sso_rolling');
	const port = 4310 + testPortOffset();
	instances.push(await startInstance('A', port));
	instances.push(await startInstance('B', port + 3));
}, 120_000);

afterAll(async () => {
	await Promise.all(instances.map((i) => i.server.stop()));
	await database?.drop();
});

const exited = (server: ProductionServer) =>
	new Promise<number | null>((resolve) => {
		if (server.child.exitCode !== null) resolve(server.child.exitCode);
		else server.child.once('exit', (code) => resolve(code));
	});

/** A token request whose body arrives in two halves, with `between` run in the middle. */
function tokenRequestInTwoHalves(provider: string, body: string, between: () => Promise<void>): Promise<{ status: number; body: string }> {
	return new Promise((resolve, reject) => {
		const req = httpRequest(`${provider}/api/auth/token`, {
			method: 'POST',
			agent: false,
			headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) }
		});
		req.on('error', reject);
		req.on('response', (res) => {
			let text = '';
			res.setEncoding('utf8');
			res.on('data', (chunk) => (text += chunk));
			res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
			res.on('error', reject);
		});
		req.write(body.slice(0, 20));
		between().then(() => req.end(body.slice(20)), reject);
	});
}

describe('rolling restart', () => {
	it('SIGTERM on one instance, then the other, while requests run: no request lost, clean exits', async () => {
		for (const instance of instances) {
			expect((await fetch(`${instance.provider}/healthz`)).status).toBe(200);
			expect((await fetch(`${instance.provider}/readyz`)).status).toBe(200);
		}
		const redirectURI = `${publicURLs.site1}/auth/callback`;
		const cookie = await signInAt(instances[0].provider);

		// The load balancer's health checks.
		let balancing = true;
		const healthChecks = (async () => {
			while (balancing) {
				await Promise.all(
					instances.map(async (instance) => {
						instance.inRotation = await fetch(`${instance.provider}/readyz`).then(
							(r) => r.status === 200,
							() => false
						);
					})
				);
				await new Promise((resolve) => setTimeout(resolve, 200));
			}
		})();
		await waitFor('both instances in rotation', async () => instances.every((i) => i.inRotation));

		let turn = 0;
		const pick = (exclude?: Instance) => {
			const ready = instances.filter((i) => i.inRotation && i !== exclude);
			if (ready.length === 0) throw new Error('no instance in rotation');
			return ready[turn++ % ready.length];
		};
		const failures: string[] = [];
		const servedBy = new Map<string, number>();
		let sent = 0;
		let refusedAndRetried = 0;

		/** One flow through the balancer: authorize, token and userinfo each go to the next instance in rotation. */
		const flowThroughBalancer = async () => {
			const attempt = async <T>(run: (provider: string) => Promise<T>): Promise<T> => {
				const first = pick();
				try {
					const result = await run(first.provider);
					servedBy.set(first.name, (servedBy.get(first.name) ?? 0) + 1);
					return result;
				} catch (error) {
					// Connection refused: nothing was sent, so a balancer may send it elsewhere.
					if (!/ECONNREFUSED/.test(String((error as Error).cause ?? error))) throw error;
					refusedAndRetried++;
					return run(pick(first).provider);
				}
			};
			const params = new URLSearchParams({
				client_id: DASHBOARD.id,
				response_type: 'code',
				redirect_uri: redirectURI,
				scope: 'openid profile',
				state: 's',
				nonce: 'n'
			});
			const authorize = await attempt((provider) => fetch(`${provider}/api/auth/authorize?${params}`, { headers: { cookie }, redirect: 'manual' }));
			const code = new URL(authorize.headers.get('location') ?? 'x:').searchParams.get('code');
			if (authorize.status !== 302 || !code) throw new Error(`authorize answered ${authorize.status}`);
			const token = await attempt((provider) =>
				fetch(`${provider}/api/auth/token`, {
					method: 'POST',
					headers: { 'content-type': 'application/x-www-form-urlencoded' },
					body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectURI, ...DASHBOARD_CREDENTIALS })
				})
			);
			const { access_token: accessToken } = (await token.json()) as { access_token?: string };
			if (token.status !== 200 || !accessToken) throw new Error(`token answered ${token.status}`);
			const userinfo = await attempt((provider) => fetch(`${provider}/api/auth/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } }));
			if (userinfo.status !== 200) throw new Error(`userinfo answered ${userinfo.status}`);
		};

		let loading = true;
		const workers = Array.from({ length: 3 }, async () => {
			while (loading && sent < MAX_REQUESTS) {
				sent++;
				await flowThroughBalancer().catch((error: Error) => failures.push(`${error.message} ${String(error.cause ?? '')}`));
			}
		});

		for (const round of [0, 1]) {
			const victim = instances[round];
			await waitFor(`${victim.name} serving the load`, async () => (servedBy.get(victim.name) ?? 0) >= 6, 30_000);
			const { code } = await (async () => {
				const params = new URLSearchParams({
					client_id: DASHBOARD.id,
					response_type: 'code',
					redirect_uri: redirectURI,
					scope: 'openid',
					state: 's',
					nonce: 'n'
				});
				const answer = await fetch(`${victim.provider}/api/auth/authorize?${params}`, { headers: { cookie }, redirect: 'manual' });
				return { code: new URL(answer.headers.get('location')!).searchParams.get('code')! };
			})();
			const exit = exited(victim.server);
			// In flight: the first bytes of a token request arrived before SIGTERM, the rest after.
			const slow = tokenRequestInTwoHalves(
				victim.provider,
				new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectURI, ...DASHBOARD_CREDENTIALS }).toString(),
				async () => {
					await new Promise((resolve) => setTimeout(resolve, 200));
					victim.server.child.kill('SIGTERM');
					await new Promise((resolve) => setTimeout(resolve, 300));
					// Draining: not ready any more, still alive.
					const readiness = await fetch(`${victim.provider}/readyz`, { headers: { connection: 'close' } });
					expect(readiness.status).toBe(503);
					expect((await fetch(`${victim.provider}/healthz`, { headers: { connection: 'close' } })).status).toBe(200);
					// Past the shutdown delay (1 s) and the old launcher's 500 ms hard exit.
					await new Promise((resolve) => setTimeout(resolve, 1500));
				}
			);
			const answered = await slow;
			expect(answered.status, answered.body).toBe(200);
			expect(JSON.parse(answered.body).id_token).toBeTypeOf('string');
			expect(await exit).toBe(0);
			expect(victim.server.readLog()).toMatch(/stopped after [\d.]+ s: every accepted request answered, database closed/);
			// The replacement comes up on the same port and joins the rotation.
			if (round === 0) {
				instances[0] = await startInstance('A2', victim.port);
				await waitFor('the replacement in rotation', async () => instances[0].inRotation, 30_000);
			}
		}
		await new Promise((resolve) => setTimeout(resolve, 1000));
		loading = false;
		await Promise.all(workers);
		balancing = false;
		await healthChecks;

		expect(failures, failures.slice(0, 5).join('\n')).toEqual([]);
		expect(sent).toBeGreaterThan(20);
		for (const name of ['A', 'B', 'A2']) expect(servedBy.get(name), `requests served by ${name}`).toBeGreaterThan(0);
		console.log(
			`[rolling restart] ${sent} flows (${[...servedBy.values()].reduce((x, y) => x + y, 0)} requests), ` +
				`${refusedAndRetried} refused connections retried elsewhere, served: ${JSON.stringify(Object.fromEntries(servedBy))}`
		);
	}, 120_000);
});
