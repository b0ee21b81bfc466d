import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The same browser-like sign-in the benchmark times on `npm run dev` (docs/benchmark.md).
import { browserSignIn } from '../../scripts/bench/dev-sign-in.js';
import { stopProcess, testPortOffset } from '../support/production-server';

// What vitest sets in its workers' environment (import.meta.env and its own); a user's shell has none of it.
const TEST_RUNNER_VARIABLES = new Set(['NODE_ENV', 'TEST', 'DEV', 'PROD', 'SSR', 'MODE', 'BASE_URL', 'TEST_DB', 'DATABASE_URL', 'TEST_DATABASE_URL']);

// `npm run dev` as a user starts it: `vite dev` with no NODE_ENV and no test runner variables.
// Once per suite (the dev server always uses the embedded database).
describe.skipIf(process.env.TEST_DB === 'postgres')('npm run dev', () => {
	const port = 4640 + testPortOffset();
	const provider = `http://localhost:${port}`;
	const site = `http://localhost:${port + 1}`;
	const dir = mkdtempSync(join(tmpdir(), 'sso-dev-test-'));
	let child: ChildProcess;
	let output = '';

	beforeAll(async () => {
		const env: Record<string, string | undefined> = { ...process.env };
		for (const name of Object.keys(env)) if (name.startsWith('VITEST') || TEST_RUNNER_VARIABLES.has(name)) delete env[name];
		Object.assign(env, {
			PGLITE_DIR: join(dir, 'pglite'),
			PROVIDER_URL: provider,
			SITE1_URL: site,
			SITE2_URL: `http://localhost:${port + 2}`,
			PYTHON_API_URL: `http://localhost:${port + 3}`
		});
		child = spawn(process.execPath, ['node_modules/vite/bin/vite.js', 'dev'], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
		child.stdout?.on('data', (d) => (output += d));
		child.stderr?.on('data', (d) => (output += d));
		const started = Date.now();
		while (
			!(await fetch(`${provider}/healthz`).then(
				(r) => r.ok,
				() => false
			))
		) {
			if (Date.now() - started > 60_000) throw new Error(`vite dev did not answer within 60 s:\n${output}`);
			await new Promise((r) => setTimeout(r, 200));
		}
	}, 90_000);

	afterAll(async () => {
		// The dev server starts the example Python API as its child: the whole group goes.
		if (child?.pid) {
			try {
				process.kill(-child.pid, 'SIGTERM');
			} catch {
				/* already gone */
			}
			await stopProcess(child);
		}
		rmSync(dir, { recursive: true, force: true });
	});

	it('renders the provider’s sign-in page', async () => {
		const res = await fetch(`${provider}/auth/login`, { headers: { accept: 'text/html' } });
		expect(res.status, output.slice(-2000)).toBe(200);
		expect(await res.text()).toContain('<h1>Sign in');
	});

	it('signs the demo user in to the dashboard through the provider', async () => {
		const ms = await browserSignIn({ provider, site });
		expect(ms).toBeGreaterThan(0);
	}, 60_000);
});
