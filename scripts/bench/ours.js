// Our provider as a measured target: the production build (`node build`) on PGlite or on a
// fresh Postgres database, with the demo data seeded and a service client made with the CLI.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onCleanup } from './cleanups.js';
import { collectCookies, newAgent, request } from './http.js';
import { createPostgresDatabase } from './postgres.js';
import { SERVICE_API } from './runners.js';
import { profilingNodeArgs, startServerProcess } from './server-process.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const DEMO = { email: 'demo@example.com', password: 'DemoPass123!' };

/** Builds the production bundle when there is none (the bench measures `node build`). */
export function ensureBuild() {
	if (existsSync(join(ROOT, 'build/handler.js')) && existsSync(join(ROOT, 'build/index.js'))) return;
	console.log('bench: no production build, running `npx vite build && node scripts/write-build-entry.js`');
	for (const [cmd, args] of [
		['npx', ['vite', 'build']],
		[process.execPath, ['scripts/write-build-entry.js']]
	]) {
		const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit' });
		if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed`);
	}
}

/**
 * Starts our provider (and the demo sites' listeners, which the build always opens) on
 * `portBase`..+2 and signs the demo user in. Returns a target for measureTarget().
 */
export async function startOurs(kind, { portBase, postgresURL, profiling }) {
	const origins = { provider: `http://localhost:${portBase}`, site1: `http://localhost:${portBase + 1}`, site2: `http://localhost:${portBase + 2}` };
	const env = { ...process.env };
	for (const k of [
		'DATABASE_URL',
		'BENCH_DATABASE_URL',
		'PGLITE_DIR',
		'PORT',
		'SITE1_PORT',
		'SITE2_PORT',
		'SERVE',
		'HOST',
		'PROTOCOL_HEADER',
		'HOST_HEADER',
		'ORIGIN'
	]) {
		delete env[k];
	}
	Object.assign(env, { NODE_ENV: 'production', PROVIDER_URL: origins.provider, SITE1_URL: origins.site1, SITE2_URL: origins.site2, SEED_DEMO_DATA: 'true' });
	let label;
	let database = null;
	if (kind === 'pglite') {
		const dir = mkdtempSync(join(os.tmpdir(), 'sso-bench-'));
		onCleanup(() => rmSync(dir, { recursive: true, force: true }));
		// The embedded secret is written beside the data directory, i.e. inside `dir` too.
		env.PGLITE_DIR = join(dir, 'pglite');
		label = `PGlite at ${env.PGLITE_DIR}`;
	} else {
		database = await createPostgresDatabase(postgresURL, 'ours');
		env.DATABASE_URL = database.url;
		env.AUTH_SECRET = randomBytes(32).toString('base64url');
		label = `Postgres database ${database.name}`;
	}
	const service = provisionServiceClient(env);
	const server = await startServerProcess({
		args: [...profilingNodeArgs(profiling, `ours-${kind}`), 'build'],
		cwd: ROOT,
		env,
		label,
		issuer: origins.provider
	});
	const cookie = await signIn(origins.provider);
	return { name: 'ours', kind, ...server, database, service, cookie, redirectURI: `${origins.site1}/auth/callback` };
}

/**
 * A service client for the client_credentials grant, made with the operator's CLI before the
 * server starts (PGlite allows one process at a time): an API (RFC 8707 resource server) with
 * one scope, and a client allowed to ask for it.
 */
function provisionServiceClient(env) {
	const cli = (...args) => {
		const r = spawnSync(process.execPath, ['scripts/cli.js', ...args], { cwd: ROOT, env, encoding: 'utf8' });
		if (r.status !== 0) throw new Error(`scripts/cli.js ${args.join(' ')} failed:\n${r.stdout}${r.stderr}`);
		return r.stdout;
	};
	cli('resources', 'add', '--id', SERVICE_API, '--name', 'Bench API', '--scope', 'reports:read');
	const out = cli(
		'clients',
		'add',
		'--id',
		'bench-service',
		'--name',
		'Bench service',
		'--redirect-uri',
		'https://bench.invalid/cb',
		'--grant-type',
		'client_credentials',
		'--resource',
		SERVICE_API,
		'--scope',
		'reports:read'
	);
	const secret = out.match(/^client_secret:\s+(\S+)/m)?.[1];
	if (!secret) throw new Error(`no client_secret in:\n${out}`);
	return { id: 'bench-service', secret };
}

/** The demo user's session cookie, from the email sign-in API. */
async function signIn(issuer) {
	const agent = newAgent(1);
	const res = await request(agent, `${issuer}/api/auth/sign-in/email`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(DEMO)
	});
	agent.destroy();
	if (res.status !== 200) throw new Error(`sign-in answered ${res.status}: ${res.body}`);
	const session = [].concat(res.headers['set-cookie'] ?? []).filter((c) => c.startsWith('op_session='));
	if (!session.length) throw new Error('sign-in did not set op_session');
	return collectCookies(new Map(), session);
}
