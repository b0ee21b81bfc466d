// Starts the PRODUCTION build (`node build`: provider and both demo sites) as a child process
// with an environment of the test's choosing: the shared integration server
// (server.global-setup.ts) and the tests that need a server of their own (another issuer,
// an https issuer, a second instance on the same Postgres, a database behind a proxy).
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startMailSink, type MailSink } from './mail-sink';
import { createPostgresDatabase, dropPostgresDatabase, testServerURL, uniqueDatabaseName } from './database';

export const ROOT = resolve(import.meta.dirname, '../..');
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
	const inputs = ['src', 'static', 'scripts', 'svelte.config.js', 'package.json'].map((p) => join(ROOT, p)).filter(existsSync);
	return Math.max(...inputs.map(newestSourceMtime)) > statSync(handler).mtimeMs;
}

/**
 * `vite build` + the launcher entry, once per process, when build/handler.js is missing or
 * older than src/ (a stale build would hide a fix). SKIP_TEST_BUILD=1 uses build/ as it is.
 */
export function ensureBuild(logDir: string): Promise<void> {
	shared.__ssoTestBuild ??= (async () => {
		const present = existsSync(join(ROOT, 'build/handler.js')) && existsSync(join(ROOT, 'build/index.js'));
		if (present && (process.env.SKIP_TEST_BUILD || !buildIsStale())) return;
		const log = join(logDir, 'build.log');
		await run(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build'], log);
		await run(process.execPath, [join(ROOT, 'scripts/write-build-entry.js')], log);
	})();
	return shared.__ssoTestBuild;
}

/**
 * The offset for ports of servers a test starts itself (4300-4399 in the `pglite-http` project).
 * The `pglite-http` and `postgres-http` projects run at the same time, so the `postgres-http`
 * project's are 100 higher (4400-4499); TEST_PORT_OFFSET moves everything, so that another copy of the suite
 * can run on the same machine. The shared servers use 4100-4102 and 4200-4202 (+ TEST_PORT_OFFSET).
 */
export function testPortOffset(): number {
	return sharedServerPortOffset() + (process.env.TEST_DB === 'postgres' ? 100 : 0);
}

/** TEST_PORT_OFFSET alone: the shared servers' ports (server.global-setup.ts). */
export function sharedServerPortOffset(): number {
	return Number(process.env.TEST_PORT_OFFSET ?? 0);
}

export interface ProductionServerOptions {
	/** First of three consecutive ports: provider, site 1, site 2 (listen ports). */
	port: number;
	/** Public URLs when they differ from http://localhost:PORT (e.g. an https issuer behind a proxy). */
	urls?: Partial<Record<'provider' | 'site1' | 'site2', string>>;
	/**
	 * `pglite` (a fresh embedded database), `postgres` (a fresh database on TEST_DATABASE_URL,
	 * dropped at stop), or a postgres:// URL to share with another instance (left alone at stop).
	 */
	database?: 'pglite' | 'postgres' | { url: string; authSecret: string };
	/** Further environment variables (undefined removes one). */
	env?: Record<string, string | undefined>;
	/** Which origins this process serves (SERVE); all three by default. */
	serve?: string;
}

export interface ProductionServer {
	urls: { provider: string; site1: string; site2: string };
	/** postgres:// URL and secret of the database, for a second instance or a direct look. */
	database: { driver: 'pglite' | 'postgres'; url?: string; authSecret?: string };
	/**
	 * The SMTP listener the server sends its mail to (started for it, unless `env.SMTP_URL` was
	 * given): read what arrived with readMail(server.mail.dir, to).
	 */
	mail: MailSink | undefined;
	child: ChildProcess;
	log: string;
	/** The log so far (for failure messages). */
	readLog(): string;
	/** SIGTERM, then SIGKILL after 5 s; drops a database it created; removes its files. */
	stop(): Promise<void>;
}

/** Starts `node build` with a fresh (or the given) database and waits until every listener is up. */
export async function startProductionServer(options: ProductionServerOptions): Promise<ProductionServer> {
	const { port } = options;
	const urls = {
		provider: options.urls?.provider ?? `http://localhost:${port}`,
		site1: options.urls?.site1 ?? `http://localhost:${port + 1}`,
		site2: options.urls?.site2 ?? `http://localhost:${port + 2}`
	};
	const workDir = mkdtempSync(join(tmpdir(), `sso-server-${port}-`));
	const log = join(workDir, 'server.log');
	await ensureBuild(workDir);

	const env: Record<string, string | undefined> = {
		...process.env,
		NODE_ENV: 'production',
		PROVIDER_URL: urls.provider,
		SITE1_URL: urls.site1,
		SITE2_URL: urls.site2,
		PORT: String(port),
		SITE1_PORT: String(port + 1),
		SITE2_PORT: String(port + 2),
		SEED_DEMO_DATA: 'true',
		SERVE: options.serve,
		HOST: undefined,
		DATABASE_URL: undefined,
		AUTH_SECRET: undefined,
		PGLITE_DIR: join(workDir, 'pglite')
	};
	let dropDatabase = async () => {};
	const database: ProductionServer['database'] = { driver: 'pglite' };
	const wanted = options.database ?? 'pglite';
	if (wanted !== 'pglite') {
		if (wanted === 'postgres') {
			const server = testServerURL();
			const name = uniqueDatabaseName('sso_http');
			database.url = await createPostgresDatabase(server, name);
			database.authSecret = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
			dropDatabase = () => dropPostgresDatabase(server, name);
		} else {
			database.url = wanted.url;
			database.authSecret = wanted.authSecret;
		}
		database.driver = 'postgres';
		env.DATABASE_URL = database.url;
		env.AUTH_SECRET = database.authSecret;
		env.PGLITE_DIR = undefined;
	}
	Object.assign(env, options.env ?? {});
	const mail = options.env && 'SMTP_URL' in options.env ? undefined : await startMailSink(join(workDir, 'mail'));
	if (mail) env.SMTP_URL = mail.url;
	for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];

	const fd = openSync(log, 'a');
	// `node build`, plus a guard: the server exits when our end of its stdin closes, so it
	// cannot outlive a test run that was killed before teardown.
	const guard = "process.stdin.on('close', () => process.exit(0)); process.stdin.resume(); await import(process.argv[1]);";
	const child = spawn(process.execPath, ['--input-type=module', '-e', guard, pathToFileURL(join(ROOT, 'build/index.js')).href], {
		cwd: ROOT,
		env: env as NodeJS.ProcessEnv,
		stdio: ['pipe', fd, fd]
	});
	closeSync(fd);
	const readLog = () => (existsSync(log) ? readFileSync(log, 'utf8') : '');
	const stop = async () => {
		await stopProcess(child);
		await mail?.stop();
		await dropDatabase();
		if (!process.env.KEEP_TEST_SERVER_LOGS) rmSync(workDir, { recursive: true, force: true });
	};
	const served = (options.serve ?? 'provider,site1,site2').split(',').map((s) => s.trim());
	const ports = [port, port + 1, port + 2].filter((_, i) => served.includes(['provider', 'site1', 'site2'][i]));
	try {
		await waitUntilListening(child, log, ports);
	} catch (error) {
		const text = readLog().slice(-4000);
		await stop();
		throw new Error(`the production build did not start on ${urls.provider}: ${(error as Error).message}\n${text}`, { cause: error });
	}
	return { urls, database, mail, child, log, readLog, stop };
}

export function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
	return new Promise((resolvePromise) => {
		const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
		child.once('exit', () => {
			clearTimeout(kill);
			resolvePromise();
		});
		child.kill(signal);
	});
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
