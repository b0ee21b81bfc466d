// Issue #6 finding 17: `npm run keys:rotate` on one instance while flows run against two
// instances on one Postgres causes zero failed verifications anywhere: not at relying parties
// verifying ID tokens with a cached JWKS (jose createRemoteJWKSet, fetched from either
// instance), not at the instances verifying each other's access tokens (userinfo).
//
// Time is compressed by the same factor everywhere it matters: the new key signs 8 s after it
// is published (production: 15 min), instances re-read the key table every second (60 s),
// and the relying parties refetch an unknown kid after a 5 s cooldown (jose's default: 30 s).
// Ports: 4320-4325 (+ TEST_PORT_OFFSET).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startProductionServer, testPortOffset, type ProductionServer } from '../support/production-server';
import { codeFlow, sharedDatabase, signInAt, waitFor } from '../support/faults';
import { DASHBOARD } from '../support/http';

const run = promisify(execFile);
const KEY_TIMING = { KEY_PUBLISH_BEFORE_USE_SECONDS: '8', KEY_CACHE_SECONDS: '1' };
// Only a safety stop: the flows run until both instances have signed with the new key. At
// 1,500 the flows could all be done before the new key starts signing on a fast machine.
const MAX_FLOWS = 50_000;

let database: Awaited<ReturnType<typeof sharedDatabase>>;
let a: ProductionServer;
let b: ProductionServer;
let instances: { name: string; provider: string }[];

beforeAll(async () => {
	database = await sharedDatabase('sso_rotation');
	const port = 4320 + testPortOffset();
	const shared = { url: database.url, authSecret: database.authSecret };
	a = await startProductionServer({ port, database: shared, env: KEY_TIMING });
	// One deployment: the second instance has the same public URLs (issuer included).
	b = await startProductionServer({ port: port + 3, urls: a.urls, database: shared, env: KEY_TIMING });
	instances = [
		{ name: 'A', provider: `http://localhost:${port}` },
		{ name: 'B', provider: `http://localhost:${port + 3}` }
	];
}, 120_000);

afterAll(async () => {
	await Promise.all([a?.stop(), b?.stop()]);
	await database?.drop();
});

describe('key rotation under load', () => {
	it('keys rotate on one instance while flows run on two: every token verifies everywhere, old and new keys both used', async () => {
		const issuer = a.urls.provider;
		const redirectURI = `${a.urls.site1}/auth/callback`;
		const cookie = await signInAt(instances[0].provider);
		// Two relying parties, each with its own cached JWKS from a different instance.
		const relyingParties = instances.map(({ name, provider }) => ({
			name,
			jwks: createRemoteJWKSet(new URL(`${provider}/api/auth/jwks`), { cooldownDuration: 5_000 })
		}));

		const failures: string[] = [];
		const kidsBySigner = new Map<string, Set<string>>(instances.map(({ name }) => [name, new Set<string>()]));
		let flows = 0;
		let running = true;
		const worker = async (offset: number) => {
			while (running && flows < MAX_FLOWS) {
				const i = flows++ + offset;
				const authorizeAt = instances[i % 2];
				const tokenAt = instances[(i + 1) % 2];
				try {
					const { idToken, accessToken, nonce } = await codeFlow({ authorizeAt: authorizeAt.provider, tokenAt: tokenAt.provider, cookie, redirectURI });
					kidsBySigner.get(tokenAt.name)!.add(decodeProtectedHeader(idToken).kid!);
					for (const rp of relyingParties) {
						const { payload } = await jwtVerify(idToken, rp.jwks, { issuer, audience: DASHBOARD.id }).catch((error: Error) => {
							throw new Error(`RP with JWKS from ${rp.name}: ${error.message}`);
						});
						if (payload.nonce !== nonce) throw new Error('nonce mismatch');
					}
					for (const { name, provider } of instances) {
						const userinfo = await fetch(`${provider}/api/auth/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } });
						if (userinfo.status !== 200) throw new Error(`userinfo at ${name} answered ${userinfo.status}: ${await userinfo.text()}`);
					}
				} catch (error) {
					failures.push(`flow ${i} (authorize ${authorizeAt.name}, token ${tokenAt.name}): ${(error as Error).message}`);
				}
			}
		};
		const workers = [worker(0), worker(1), worker(0)];

		// Relying parties have cached the current keys before the rotation.
		await waitFor('flows before the rotation', async () => flows >= 10, 30_000);
		const before = new Set([...kidsBySigner.values()].flatMap((s) => [...s]));

		// The operator's command, on one instance's environment.
		const { stdout } = await run(process.execPath, ['scripts/cli.js', 'keys', 'rotate'], {
			cwd: ROOT,
			timeout: 90_000,
			env: { ...process.env, DATABASE_URL: database.url, AUTH_SECRET: database.authSecret, PGLITE_DIR: '', ...KEY_TIMING }
		});
		expect(stdout).toMatch(/published next keys .+; they start signing in 8 seconds/);
		const next = stdout
			.split('\n')
			.find((line) => /\tRS256\tnext\t/.test(line))
			?.split('\t')[0];
		expect(next).toBeTruthy();
		expect(before.has(next!)).toBe(false);

		// Until both instances have signed with the new key, and a little longer.
		await waitFor('both instances signing with the new key', async () => [...kidsBySigner.values()].every((kids) => kids.has(next!)), 60_000);
		await new Promise((resolve) => setTimeout(resolve, 2000));
		running = false;
		await Promise.all(workers);

		expect(failures, failures.slice(0, 5).join('\n')).toEqual([]);
		for (const [name, kids] of kidsBySigner) {
			expect(
				[...kids].some((kid) => before.has(kid)),
				`${name} signed with the old key`
			).toBe(true);
			expect(kids.has(next!), `${name} signed with the new key`).toBe(true);
		}
		console.log(
			`[key rotation] ${flows} flows, each ID token verified by 2 relying parties and each access token by 2 instances; kids: ` +
				`${JSON.stringify(Object.fromEntries([...kidsBySigner].map(([n, k]) => [n, [...k]])))}`
		);
	}, 180_000);
});
