// Vitest globalSetup (per project): starts the PRODUCTION build (`node build`: provider and both
// demo sites) on the project's own ports with a fresh database, provides the base URLs to the
// integration tests, and stops it afterwards. Never the dev server: Kit's CSRF check and
// adapter-node only behave for real in a build (ARCHITECTURE.md "Known traps").
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TestProject } from 'vitest/node';
import { createPostgresDatabase, dropPostgresDatabase, testServerURL, uniqueDatabaseName } from './database';

declare module 'vitest' {
	export interface ProvidedContext {
		providerURL: string;
		site1URL: string;
		site2URL: string;
		serverDriver: 'pglite' | 'postgres';
		serverLog: string;
	}
}

const ROOT = resolve(import.meta.dirname, '../..');
/** Ports reserved for this suite: 4100-4102 (PGlite project), 4200-4202 (Postgres project). */
const PORTS = { pglite: 4100, postgres: 4200 } as const;
const START_TIMEOUT_MS = 60_000;

const shared = globalThis as typeof globalThis & { __ssoTestBuild?: Promise<void> };

function run(command: string, args: string[], log: string): Promise<void> {
	return new Promise((resolvePromise, reject) => {
		const fd = openSync(log, 'a');
		const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', fd, fd], env: { ...process.env, NODE_ENV: 'production' } });
		child.on('error', reject);
		child.on('exit', (code) => {
			closeSync(fd);
			if (code === 0) resolvePromise();
			else reject(new Error(`${command} ${args.join(' ')} exited with ${code}; see ${log}:\n${readFileSync(log, 'utf8').slice(-4000)}`));
		});
	});
}

/** Newest modification time of the app's sources (tests excluded: they are not in the build). */
function newestSourceMtime(path: string): number {
	const stat = statSync(path);
	if (!stat.isDirectory()) return /\.test\.ts$/.test(path) ? 0 : stat.mtimeMs;
	return Math.max(0, ...readdirSync(path).map((entry) => newestSourceMtime(join(path, entry))));
}

/** Whether build/ is missing, or older than the sources it was built from. */
function buildIsStale(): boolean {
	const handler = join(ROOT, 'build/handler.js');
	if (!existsSync(handler) || !existsSync(join(ROOT, 'build/index.js'))) return true;
	const inputs = ['src', 'static', 'svelte.config.js', 'package.json'].map((p) => join(ROOT, p)).filter(existsSync);
	return Math.max(...inputs.map(newestSourceMtime)) > statSync(handler).mtimeMs;
}

/**
 * `vite build` + the launcher entry, once per process, when build/handler.js is missing or
 * older than src/ (a stale build would hide a fix). SKIP_TEST_BUILD=1 uses build/ as it is.
 */
function ensureBuild(logDir: string): Promise<void> {
	shared.__ssoTestBuild ??= (async () => {
		const present = existsSync(join(ROOT, 'build/handler.js')) && existsSync(join(ROOT, 'build/index.js'));
		if (present && (process.env.SKIP_TEST_BUILD || !buildIsStale())) return;
		const log = join(logDir, 'build.log');
		await run(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build'], log);
		await run(process.execPath, [join(ROOT, 'scripts/write-build-entry.js')], log);
	})();
	return shared.__ssoTestBuild;
}

function stop(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
	return new Promise((resolvePromise) => {
		const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
		child.once('exit', () => {
			clearTimeout(kill);
			resolvePromise();
		});
		child.kill('SIGTERM');
	});
}

export default async function setup(project: TestProject) {
	const driver = project.name === 'postgres' ? 'postgres' : 'pglite';
	// TEST_PORT_OFFSET moves the suite when another copy of it runs on the same machine.
	const base = PORTS[driver] + Number(process.env.TEST_PORT_OFFSET ?? 0);
	const urls = { provider: `http://localhost:${base}`, site1: `http://localhost:${base + 1}`, site2: `http://localhost:${base + 2}` };
	const workDir = mkdtempSync(join(tmpdir(), `sso-http-${driver}-`));
	const serverLog = join(workDir, 'server.log');
	await ensureBuild(workDir);

	const env: Record<string, string | undefined> = {
		...process.env,
		NODE_ENV: 'production',
		PROVIDER_URL: urls.provider,
		SITE1_URL: urls.site1,
		SITE2_URL: urls.site2,
		SEED_DEMO_DATA: 'true',
		PORT: undefined,
		SITE1_PORT: undefined,
		SITE2_PORT: undefined,
		SERVE: undefined,
		HOST: undefined,
		DATABASE_URL: undefined,
		AUTH_SECRET: undefined,
		PGLITE_DIR: join(workDir, 'pglite')
	};
	let dropDatabase = async () => {};
	if (driver === 'postgres') {
		const server = testServerURL();
		const name = uniqueDatabaseName('sso_http');
		env.DATABASE_URL = await createPostgresDatabase(server, name);
		env.AUTH_SECRET = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
		env.PGLITE_DIR = undefined;
		dropDatabase = () => dropPostgresDatabase(server, name);
	}
	for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];

	const fd = openSync(serverLog, 'a');
	// `node build`, plus a guard: the server exits when our end of its stdin closes, so it
	// cannot outlive a test run that was killed before teardown.
	const guard = "process.stdin.on('close', () => process.exit(0)); process.stdin.resume(); await import(process.argv[1]);";
	const child = spawn(process.execPath, ['--input-type=module', '-e', guard, pathToFileURL(join(ROOT, 'build/index.js')).href], {
		cwd: ROOT,
		env: env as NodeJS.ProcessEnv,
		stdio: ['pipe', fd, fd]
	});
	closeSync(fd);
	const cleanup = async () => {
		await stop(child);
		await dropDatabase();
		if (!process.env.KEEP_TEST_SERVER_LOGS) rmSync(workDir, { recursive: true, force: true });
	};

	try {
		await waitUntilListening(child, serverLog, [base, base + 1, base + 2]);
		const discovery = await fetch(`${urls.provider}/.well-known/openid-configuration`);
		const issuer = ((await discovery.json()) as { issuer?: string }).issuer;
		if (issuer !== urls.provider) throw new Error(`the server on ${urls.provider} reports issuer ${issuer}: is another server using the port?`);
	} catch (error) {
		const log = existsSync(serverLog) ? readFileSync(serverLog, 'utf8').slice(-4000) : '';
		await cleanup();
		throw new Error(`[${driver}] the production build did not start: ${(error as Error).message}\n${log}`);
	}

	project.provide('providerURL', urls.provider);
	project.provide('site1URL', urls.site1);
	project.provide('site2URL', urls.site2);
	project.provide('serverDriver', driver);
	project.provide('serverLog', serverLog);
	return cleanup;
}

/** Resolves once our child logged "listening on :PORT" for every port; rejects if it exits first. */
function waitUntilListening(child: ChildProcess, log: string, ports: number[]): Promise<void> {
	return new Promise((resolvePromise, reject) => {
		const started = Date.now();
		const onExit = (code: number | null) => reject(new Error(`node build exited with ${code} before listening`));
		child.once('exit', onExit);
		const poll = setInterval(() => {
			const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
			if (ports.every((p) => new RegExp(`listening on :${p}\\b`).test(text))) {
				clearInterval(poll);
				child.off('exit', onExit);
				resolvePromise();
			} else if (Date.now() - started > START_TIMEOUT_MS) {
				clearInterval(poll);
				child.off('exit', onExit);
				reject(new Error(`not listening on ${ports.join(', ')} after ${START_TIMEOUT_MS / 1000} s`));
			}
		}, 100);
	});
}
