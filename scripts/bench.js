// Load benchmark for the provider: complete authorization-code flows, refresh_token and
// client_credentials grants, JWKS and discovery throughput, against a production build
// (`node build`) on PGlite and/or Postgres.
//
//   npm run bench -- [--flows 2000] [--concurrency 16] [--seconds 5] [--db pglite|postgres|both]
//                    [--warmup 3000] [--port-base 4300] [--no-throughput] [--profile DIR] [--perf DIR]
//
// --warmup       flows run before measuring. V8 is still compiling the hot paths after a few
//                hundred flows (background compile threads showed 0.65 ms/flow after 200);
//                by ~3000 it is in a steady state.
// --port-base    provider on that port, the demo sites on the next two (default 4300-4302).
// --profile DIR  starts the server with `node --cpu-prof` (V8 main-thread profile of its whole
//                life; summarise with `node scripts/cpuprofile-summary.js FILE --from S --to S`).
//                Its samples are wall-clock: on a busy 2-core box, time the main thread spends
//                preempted right after waking a peer (socket writes, thread-pool jobs) is charged
//                to writeBuffer / jobPromise.
// --perf DIR     starts the server with --perf-basic-prof and attaches `perf record -e cpu-clock -g`
//                to it for the measured flows only (DIR/perf-<db>.data): on-CPU samples of every
//                thread, thread pool (WebCrypto RSA signing) and GC threads included. Summarise
//                with `node scripts/perf-summary.js DIR/perf-<db>.data --flows N` (needs the
//                /tmp/perf-<pid>.map the server wrote).
//
// Postgres runs when --db asks for it, or by default when BENCH_DATABASE_URL or DATABASE_URL
// is set: a fresh database with a unique name is created on that server for the run and
// dropped afterwards; "postgres CPU" counts only the backends serving that database.
// The load generator runs in this process with node:http and a keep-alive Agent (measured on
// the 2-core box against a bare node:http server: ~35 µs of client CPU per request, against
// 140-190 µs with fetch/undici), so it shares the CPU with the server; its own CPU time is
// reported, and so is the CPU used by other processes during the run ("other load"): when
// that is high, flows/s and latency are understated, CPU per flow much less so.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRemoteJWKSet, jwtVerify } from 'jose';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLIENT_ID = 'internal-dashboard';
const CLIENT_SECRET = 'secret-for-internal-dashboard';
const DEMO = { email: 'demo@example.com', password: 'DemoPass123!' };
const THROUGHPUT_CONCURRENCY = 32;

// ---------------------------------------------------------------------------------------
// Options

const { values: opts } = parseArgs({
	options: {
		flows: { type: 'string', default: '2000' },
		concurrency: { type: 'string', default: '16' },
		seconds: { type: 'string', default: '5' },
		db: { type: 'string' },
		warmup: { type: 'string', default: '3000' },
		'port-base': { type: 'string', default: '4300' },
		profile: { type: 'string' },
		perf: { type: 'string' },
		'no-throughput': { type: 'boolean', default: false },
		help: { type: 'boolean', short: 'h', default: false }
	}
});
if (opts.help) {
	console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(0, 29).join('\n'));
	process.exit(0);
}
const FLOWS = positiveInt('flows');
const CONCURRENCY = positiveInt('concurrency');
const SECONDS = Number(opts.seconds);
const WARMUP = Math.max(0, Number.parseInt(opts.warmup, 10) || 0);
const PORT_BASE = positiveInt('port-base');
const POSTGRES_URL = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || '';
const DATABASES = (() => {
	const choice = opts.db ?? (POSTGRES_URL ? 'both' : 'pglite');
	const list = { pglite: ['pglite'], postgres: ['postgres'], both: ['pglite', 'postgres'] }[choice];
	if (!list) fail(`--db must be pglite, postgres or both (got "${choice}")`);
	if (list.includes('postgres') && !POSTGRES_URL) fail('--db postgres needs BENCH_DATABASE_URL or DATABASE_URL');
	return list;
})();
if (!(SECONDS > 0)) fail('--seconds must be a positive number');

function positiveInt(name) {
	const n = Number.parseInt(opts[name], 10);
	if (!(n > 0)) fail(`--${name} must be a positive integer`);
	return n;
}

function fail(message) {
	console.error(`bench: ${message}`);
	process.exit(2);
}

// ---------------------------------------------------------------------------------------
// Clean-up: every server we start and every database we create goes away, even on Ctrl-C.

const cleanups = [];
async function runCleanups() {
	while (cleanups.length) {
		try {
			await cleanups.pop()();
		} catch (error) {
			console.error(`bench: clean-up failed: ${error.message}`);
		}
	}
}
for (const signal of ['SIGINT', 'SIGTERM']) {
	process.once(signal, async () => {
		console.error(`\nbench: ${signal}, cleaning up`);
		await runCleanups();
		process.exit(130);
	});
}

// ---------------------------------------------------------------------------------------
// HTTP client

/** One request on a keep-alive agent; the body is read fully (as a string unless `discard`). */
function request(agent, url, { method = 'GET', headers = {}, body, discard = false } = {}) {
	return new Promise((resolvePromise, reject) => {
		const req = http.request(url, { method, agent, headers }, (res) => {
			if (discard) {
				let length = 0;
				res.on('data', (chunk) => (length += chunk.length));
				res.on('end', () => resolvePromise({ status: res.statusCode, headers: res.headers, length }));
			} else {
				res.setEncoding('utf8');
				let text = '';
				res.on('data', (chunk) => (text += chunk));
				res.on('end', () => resolvePromise({ status: res.statusCode, headers: res.headers, body: text }));
			}
			res.on('error', reject);
		});
		req.on('error', reject);
		req.end(body);
	});
}

function newAgent(maxSockets) {
	return new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' });
}

// ---------------------------------------------------------------------------------------
// Measurement helpers

const CLK_TCK = (() => {
	try {
		return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
	} catch {
		return 100;
	}
})();

/** utime + stime of one process, in ms (0 if it is gone). */
function processCPUms(pid) {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		// Fields 14 and 15 of proc(5); after the ")" the first field is field 3 (state).
		return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
	} catch {
		return 0;
	}
}

/** CPU ms of every local Postgres process, by pid (empty when Postgres runs elsewhere). */
function postgresProcessCPU() {
	const byPid = new Map();
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			if (readFileSync(`/proc/${entry}/comm`, 'utf8').startsWith('postgres')) byPid.set(Number(entry), processCPUms(entry));
		} catch {
			// The process ended between readdir and read.
		}
	}
	return byPid;
}

/** Whole-machine busy and total jiffies from /proc/stat. */
function machineJiffies() {
	const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
	const f = line.trim().split(/\s+/).slice(1).map(Number);
	const idle = f[3] + (f[4] || 0);
	const total = f.reduce((a, b) => a + b, 0);
	return { busy: total - idle, total };
}

function cpuSnapshot(serverPid, withPostgres = false) {
	const client = process.cpuUsage();
	return {
		wall: performance.now(),
		server: processCPUms(serverPid),
		postgres: withPostgres ? postgresProcessCPU() : new Map(),
		client: (client.user + client.system) / 1000,
		machine: machineJiffies()
	};
}

/**
 * Differences per operation. `backendPids` are the Postgres backends serving the benchmark's
 * own database (from pg_stat_activity): only their CPU counts, so other databases on the
 * same server, or backends ending meanwhile, do not disturb the figure.
 */
function cpuDelta(before, after, count, backendPids = []) {
	const wall = after.wall - before.wall;
	let postgres = 0;
	for (const pid of backendPids) {
		if (after.postgres.has(pid)) postgres += after.postgres.get(pid) - (before.postgres.get(pid) ?? 0);
	}
	const cores = os.cpus().length;
	const m = { busy: after.machine.busy - before.machine.busy, total: after.machine.total - before.machine.total };
	return {
		wallMs: wall,
		serverMsPerOp: (after.server - before.server) / count,
		postgresMsPerOp: postgres / count,
		clientMsPerOp: (after.client - before.client) / count,
		serverShare: (after.server - before.server) / (wall * cores),
		postgresShare: postgres / (wall * cores),
		clientShare: (after.client - before.client) / (wall * cores),
		machineBusy: m.total ? m.busy / m.total : 0,
		/** Busy CPU not accounted to server, client or (when measured) Postgres: other load on the box. */
		get otherShare() {
			return Math.max(0, this.machineBusy - this.serverShare - this.clientShare - this.postgresShare);
		}
	};
}

function percentiles(samples) {
	const sorted = Float64Array.from(samples).sort();
	const at = (q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] : NaN);
	return { p50: at(0.5), p99: at(0.99), max: sorted.length ? sorted[sorted.length - 1] : NaN };
}

const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
const pct = (x) => `${(x * 100).toFixed(0)}%`;

// ---------------------------------------------------------------------------------------
// Build, server, databases

function ensureBuild() {
	if (existsSync(join(ROOT, 'build/handler.js')) && existsSync(join(ROOT, 'build/index.js'))) return;
	console.log('bench: no production build, running `npx vite build && node scripts/write-build-entry.js`');
	for (const [cmd, args] of [
		['npx', ['vite', 'build']],
		[process.execPath, ['scripts/write-build-entry.js']]
	]) {
		const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit' });
		if (r.status !== 0) fail(`${cmd} ${args.join(' ')} failed`);
	}
}

async function createPostgresDatabase(baseURL) {
	const { default: postgres } = await import('postgres');
	const name = `bench_${Date.now().toString(36)}_${process.pid}`;
	// One admin connection for the run: create, find our backends, drop.
	const admin = postgres(baseURL, { max: 1, onnotice: () => {} });
	await admin.unsafe(`create database "${name}"`);
	const url = new URL(baseURL);
	url.pathname = `/${name}`;
	const backendPids = async () => (await admin`select pid from pg_stat_activity where datname = ${name}`).map((r) => r.pid);
	const drop = async () => {
		try {
			await admin.unsafe(`drop database if exists "${name}" with (force)`);
		} finally {
			await admin.end();
		}
		console.log(`bench: dropped database ${name}`);
	};
	return { name, url: url.href, drop, backendPids };
}

async function startServer(kind, origins) {
	const env = { ...process.env };
	for (const k of ['DATABASE_URL', 'BENCH_DATABASE_URL', 'PGLITE_DIR', 'PORT', 'SITE1_PORT', 'SITE2_PORT', 'SERVE', 'HOST', 'PROTOCOL_HEADER', 'HOST_HEADER', 'ORIGIN']) {
		delete env[k];
	}
	Object.assign(env, {
		NODE_ENV: 'production',
		PROVIDER_URL: origins.provider,
		SITE1_URL: origins.site1,
		SITE2_URL: origins.site2,
		SEED_DEMO_DATA: 'true'
	});
	let label;
	let database = null;
	if (kind === 'pglite') {
		const dir = mkdtempSync(join(os.tmpdir(), 'sso-bench-'));
		cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
		// The embedded secret is written beside the data directory, i.e. inside `dir` too.
		env.PGLITE_DIR = join(dir, 'pglite');
		label = `PGlite at ${env.PGLITE_DIR}`;
	} else {
		database = await createPostgresDatabase(POSTGRES_URL);
		cleanups.push(database.drop);
		env.DATABASE_URL = database.url;
		env.AUTH_SECRET = randomBytes(32).toString('base64url');
		label = `Postgres database ${database.name}`;
	}
	const service = provisionServiceClient(env);
	const nodeArgs = [];
	// --perf-basic-prof also turns on V8's log file; keep it beside the perf data, not in the cwd.
	if (opts.perf) mkdirSync(resolve(opts.perf), { recursive: true });
	if (opts.perf) nodeArgs.push('--perf-basic-prof', `--logfile=${join(resolve(opts.perf), `v8-${kind}.log`)}`);
	if (opts.profile) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${resolve(opts.profile)}`, `--cpu-prof-name=server-${kind}-${Date.now()}.cpuprofile`);
	const spawnedAt = performance.now();
	const child = spawn(process.execPath, [...nodeArgs, 'build'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	child.stdout.on('data', (d) => (output += d));
	child.stderr.on('data', (d) => (output += d));
	const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
	const stop = async () => {
		if (child.exitCode !== null || child.signalCode !== null) return;
		child.kill('SIGTERM');
		const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
		await exited;
		clearTimeout(timer);
	};
	cleanups.push(stop);
	console.log(`bench: starting \`node ${nodeArgs.join(' ')}${nodeArgs.length ? ' ' : ''}build\` (pid ${child.pid}) on ${label}`);

	// Wait for discovery.
	const agent = newAgent(1);
	const started = performance.now();
	let discovery;
	while (!discovery) {
		if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output}`);
		if (performance.now() - started > 120_000) throw new Error(`server did not answer discovery within 120 s:\n${output}`);
		try {
			const res = await request(agent, `${origins.provider}/.well-known/openid-configuration`);
			if (res.status === 200) discovery = JSON.parse(res.body);
		} catch {
			await new Promise((r) => setTimeout(r, 100));
		}
	}
	agent.destroy();
	console.log(`bench: server ready in ${fmt((performance.now() - started) / 1000, 1)} s`);
	return { pid: child.pid, discovery, stop, database, spawnedAt, service, output: () => output };
}

const SERVICE_API = 'https://api.bench.example';

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
	const out = cli('clients', 'add', '--id', 'bench-service', '--name', 'Bench service', '--redirect-uri', 'https://bench.invalid/cb', '--grant-type', 'client_credentials', '--resource', SERVICE_API, '--scope', 'reports:read');
	const secret = out.match(/^client_secret:\s+(\S+)/m)?.[1];
	if (!secret) throw new Error(`no client_secret in:\n${out}`);
	return { id: 'bench-service', secret };
}

// ---------------------------------------------------------------------------------------
// The flow

const b64u = (buf) => buf.toString('base64url');

async function signIn(agent, issuer) {
	const res = await request(agent, `${issuer}/api/auth/sign-in/email`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(DEMO)
	});
	if (res.status !== 200) throw new Error(`sign-in answered ${res.status}: ${res.body}`);
	const cookie = [].concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('op_session='));
	if (!cookie) throw new Error('sign-in did not set op_session');
	return cookie.split(';')[0];
}

/** Builds the flow runner for one server: authorize → token → verify ID token. */
function flowRunner({ agent, issuer, discovery, cookie, redirectURI }) {
	const authorizeURL = discovery.authorization_endpoint;
	const tokenURL = discovery.token_endpoint;
	const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
	const authorizeHeaders = { cookie, accept: 'text/html' };
	// internal-dashboard is registered for client_secret_post (credentials in the body).
	const tokenHeaders = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };

	return async function flow() {
		const t0 = performance.now();
		const state = b64u(randomBytes(16));
		const nonce = b64u(randomBytes(16));
		const verifier = b64u(randomBytes(32));
		const challenge = b64u(createHash('sha256').update(verifier).digest());
		const query = new URLSearchParams({
			response_type: 'code',
			client_id: CLIENT_ID,
			redirect_uri: redirectURI,
			scope: 'openid profile email',
			state,
			nonce,
			code_challenge: challenge,
			code_challenge_method: 'S256'
		});
		const auth = await request(agent, `${authorizeURL}?${query}`, { headers: authorizeHeaders });
		const t1 = performance.now();
		if (auth.status !== 302) throw new FlowError(`authorize: HTTP ${auth.status}`);
		const location = auth.headers.location;
		if (!location) throw new FlowError('authorize: no Location');
		const back = new URL(location, authorizeURL);
		if (back.origin + back.pathname !== redirectURI) throw new FlowError(`authorize: redirected to ${back.origin}${back.pathname}`);
		if (back.searchParams.get('error')) throw new FlowError(`authorize: error=${back.searchParams.get('error')}`);
		if (back.searchParams.get('state') !== state) throw new FlowError('authorize: state mismatch');
		if (back.searchParams.get('iss') !== issuer) throw new FlowError('authorize: iss mismatch');
		const code = back.searchParams.get('code');
		if (!code) throw new FlowError('authorize: no code');

		const form = new URLSearchParams({
			grant_type: 'authorization_code',
			code,
			redirect_uri: redirectURI,
			code_verifier: verifier,
			client_id: CLIENT_ID,
			client_secret: CLIENT_SECRET
		});
		const tok = await request(agent, tokenURL, { method: 'POST', headers: tokenHeaders, body: form.toString() });
		const t2 = performance.now();
		if (tok.status !== 200) throw new FlowError(`token: HTTP ${tok.status} ${tok.body.slice(0, 120)}`);
		let tokens;
		try {
			tokens = JSON.parse(tok.body);
		} catch {
			throw new FlowError('token: body is not JSON');
		}
		if (tokens.token_type !== 'Bearer' || typeof tokens.access_token !== 'string') throw new FlowError('token: no Bearer access_token');
		if (typeof tokens.id_token !== 'string') throw new FlowError('token: no id_token');
		let payload;
		try {
			({ payload } = await jwtVerify(tokens.id_token, jwks, { issuer, audience: CLIENT_ID, algorithms: ['RS256'] }));
		} catch (error) {
			throw new FlowError(`id_token: ${error.code ?? error.name}`);
		}
		if (payload.nonce !== nonce) throw new FlowError('id_token: nonce mismatch');
		const t3 = performance.now();
		return { total: t3 - t0, authorize: t1 - t0, token: t2 - t1, verify: t3 - t2 };
	};
}

class FlowError extends Error {}

async function tokenCall(agent, tokenURL, headers, form, what) {
	const t0 = performance.now();
	const res = await request(agent, tokenURL, { method: 'POST', headers, body: form.toString() });
	if (res.status !== 200) throw new FlowError(`${what}: HTTP ${res.status} ${res.body.slice(0, 120)}`);
	let tokens;
	try {
		tokens = JSON.parse(res.body);
	} catch {
		throw new FlowError(`${what}: body is not JSON`);
	}
	if (typeof tokens.access_token !== 'string') throw new FlowError(`${what}: no access_token`);
	return { tokens, ms: performance.now() - t0 };
}

/**
 * refresh_token grants: each worker holds its own chain (a refresh token is used once and
 * answered with its successor: RFC 9700 §4.14.2), started by one code flow with offline_access.
 */
function refreshRunner({ agent, discovery, cookie, redirectURI }) {
	const headers = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
	const chains = [];
	return {
		async start(workers) {
			for (let i = 0; i < workers; i++) {
				const state = b64u(randomBytes(16));
				const verifier = b64u(randomBytes(32));
				const query = new URLSearchParams({
					response_type: 'code',
					client_id: CLIENT_ID,
					redirect_uri: redirectURI,
					// The dashboard is a trusted first-party client: it gets a refresh token without offline_access.
					scope: 'openid profile email',
					state,
					nonce: b64u(randomBytes(16)),
					code_challenge: b64u(createHash('sha256').update(verifier).digest()),
					code_challenge_method: 'S256'
				});
				const auth = await request(agent, `${discovery.authorization_endpoint}?${query}`, { headers: { cookie, accept: 'text/html' } });
				const code = auth.headers.location && new URL(auth.headers.location, discovery.authorization_endpoint).searchParams.get('code');
				if (!code) throw new Error(`refresh set-up: authorize answered ${auth.status} ${auth.headers.location ?? ''}`);
				const form = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectURI, code_verifier: verifier, client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
				const { tokens } = await tokenCall(agent, discovery.token_endpoint, headers, form, 'refresh set-up');
				if (typeof tokens.refresh_token !== 'string') throw new Error('refresh set-up: no refresh_token');
				chains.push(tokens.refresh_token);
			}
		},
		grant(worker) {
			return async () => {
				const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: chains[worker], client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
				const { tokens, ms } = await tokenCall(agent, discovery.token_endpoint, headers, form, 'refresh');
				if (typeof tokens.refresh_token !== 'string') throw new FlowError('refresh: no new refresh_token');
				chains[worker] = tokens.refresh_token;
				return { total: ms };
			};
		}
	};
}

/** client_credentials grants (RFC 6749 §4.4) for the bench's service client, HTTP Basic. */
function clientCredentialsRunner({ agent, discovery, service }) {
	const headers = {
		'content-type': 'application/x-www-form-urlencoded',
		accept: 'application/json',
		authorization: `Basic ${Buffer.from(`${encodeURIComponent(service.id)}:${encodeURIComponent(service.secret)}`).toString('base64')}`
	};
	const form = new URLSearchParams({ grant_type: 'client_credentials', scope: 'reports:read', resource: SERVICE_API });
	return async () => {
		const { ms } = await tokenCall(agent, discovery.token_endpoint, headers, form, 'client_credentials');
		return { total: ms };
	};
}

/** Like runPool, but each of `concurrency` workers runs its own `fnFor(worker)` (one chain each). */
async function runWorkers(total, concurrency, fnFor) {
	let next = 0;
	const results = [];
	const errors = new Map();
	const worker = async (index) => {
		const fn = fnFor(index);
		while (next < total) {
			next++;
			try {
				results.push(await fn());
			} catch (error) {
				const key = error instanceof FlowError ? error.message : `${error.code ?? error.name}: ${error.message}`;
				errors.set(key, (errors.get(key) ?? 0) + 1);
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, total) }, (_, i) => worker(i)));
	return { results, errors };
}

/** Measures `total` grants: grants/s, latency and CPU per grant, like the flows. */
async function measureGrants(name, kind, server, total, concurrency, fnFor) {
	const before = cpuSnapshot(server.pid, kind === 'postgres');
	const { results, errors } = await runWorkers(total, concurrency, fnFor);
	const after = cpuSnapshot(server.pid, kind === 'postgres');
	const cpu = cpuDelta(before, after, Math.max(1, results.length), server.database ? await server.database.backendPids() : []);
	const latency = percentiles(results.map((r) => r.total));
	const errorCount = [...errors.values()].reduce((a, b) => a + b, 0);
	const perSecond = results.length / (cpu.wallMs / 1000);
	console.log(
		`${name.padEnd(18)}: ${results.length} ok, ${errorCount} errors → ${fmt(perSecond, 0)} grants/s  p50 ${fmt(latency.p50)} ms  p99 ${fmt(latency.p99)} ms` +
			`  CPU per grant: server ${fmt(cpu.serverMsPerOp, 2)} ms` +
			(kind === 'postgres' ? `, postgres ${fmt(cpu.postgresMsPerOp, 2)} ms` : '') +
			`  (server ${pct(cpu.serverShare)} of ${os.cpus().length} cores)`
	);
	for (const [message, count] of [...errors].sort((a, b) => b[1] - a[1]).slice(0, 5)) console.log(`  error ×${count}: ${message}`);
	return { perSecond, ...latency, errors: errorCount, serverCPU: cpu.serverMsPerOp };
}

/** Runs `total` calls of `fn` at `concurrency`; returns successes' results and error counts. */
async function runPool(total, concurrency, fn) {
	let next = 0;
	const results = [];
	const errors = new Map();
	const worker = async () => {
		while (next < total) {
			next++;
			try {
				results.push(await fn());
			} catch (error) {
				const key = error instanceof FlowError ? error.message : `${error.code ?? error.name}: ${error.message}`;
				errors.set(key, (errors.get(key) ?? 0) + 1);
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
	return { results, errors };
}

/** GETs `url` for `seconds` at `concurrency` on keep-alive sockets; body read, not parsed. */
async function throughput(url, seconds, concurrency, serverPid) {
	const agent = newAgent(concurrency);
	// Open the sockets first so connection set-up is not measured.
	await Promise.all(Array.from({ length: concurrency }, () => request(agent, url, { discard: true })));
	let latencies = [];
	let errors = 0;
	let deadline = performance.now() + Math.min(1, seconds) * 1000;
	const worker = async () => {
		while (performance.now() < deadline) {
			const t0 = performance.now();
			try {
				const res = await request(agent, url, { discard: true });
				if (res.status !== 200 || res.length === 0) errors++;
				else latencies.push(performance.now() - t0);
			} catch {
				errors++;
			}
		}
	};
	// One unmeasured second first, so the JIT has seen this route.
	await Promise.all(Array.from({ length: concurrency }, worker));
	latencies = [];
	errors = 0;
	const before = cpuSnapshot(serverPid);
	deadline = before.wall + seconds * 1000;
	await Promise.all(Array.from({ length: concurrency }, worker));
	const after = cpuSnapshot(serverPid);
	agent.destroy();
	const cpu = cpuDelta(before, after, Math.max(1, latencies.length));
	return { rps: latencies.length / (cpu.wallMs / 1000), errors, ...percentiles(latencies), cpu };
}

/** `perf record` on the server process until stop(); its samples are on-CPU time only. */
async function startPerf(pid, file) {
	mkdirSync(dirname(file), { recursive: true });
	const child = spawn('perf', ['record', '-q', '-e', 'cpu-clock', '-F', '999', '-g', '-p', String(pid), '-o', file], { stdio: ['ignore', 'ignore', 'inherit'] });
	const exited = new Promise((r) => child.once('exit', r));
	child.once('error', (error) => console.error(`bench: perf: ${error.message}`));
	const stop = async () => {
		if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
		await exited;
	};
	cleanups.push(stop);
	await new Promise((r) => setTimeout(r, 500));
	console.log(`bench: perf record attached to ${pid} → ${file}`);
	return { stop };
}

// ---------------------------------------------------------------------------------------
// One database

async function benchDatabase(kind) {
	console.log(`\n=== ${kind} ===`);
	const origins = {
		provider: `http://localhost:${PORT_BASE}`,
		site1: `http://localhost:${PORT_BASE + 1}`,
		site2: `http://localhost:${PORT_BASE + 2}`
	};
	const cleanupMark = cleanups.length;
	const server = await startServer(kind, origins);
	try {
		const issuer = server.discovery.issuer;
		if (issuer !== origins.provider) throw new Error(`discovery issuer is ${issuer}, expected ${origins.provider}`);
		const agent = newAgent(CONCURRENCY);
		const cookie = await signIn(agent, issuer);
		const flow = flowRunner({ agent, issuer, discovery: server.discovery, cookie, redirectURI: `${origins.site1}/auth/callback` });

		if (WARMUP) {
			const warm = await runPool(WARMUP, CONCURRENCY, flow);
			console.log(`bench: warm-up ${warm.results.length}/${WARMUP} flows ok`);
		}
		const perf = opts.perf ? await startPerf(server.pid, join(resolve(opts.perf), `perf-${kind}.data`)) : null;
		const before = cpuSnapshot(server.pid, kind === 'postgres');
		const { results, errors } = await runPool(FLOWS, CONCURRENCY, flow);
		const after = cpuSnapshot(server.pid, kind === 'postgres');
		if (perf) await perf.stop();
		if (opts.profile) {
			const since = (t) => ((t - server.spawnedAt) / 1000).toFixed(1);
			console.log(`bench: measured flows ran ${since(before.wall)}-${since(after.wall)} s after the server started (cpuprofile-summary.js --from/--to)`);
		}
		agent.destroy();
		const cpu = cpuDelta(before, after, FLOWS, server.database ? await server.database.backendPids() : []);
		const total = percentiles(results.map((r) => r.total));
		const phases = Object.fromEntries(['authorize', 'token', 'verify'].map((p) => [p, percentiles(results.map((r) => r[p]))]));
		const errorCount = [...errors.values()].reduce((a, b) => a + b, 0);
		const flowsPerSecond = results.length / (cpu.wallMs / 1000);

		console.log(`flows: ${results.length} ok, ${errorCount} errors in ${fmt(cpu.wallMs / 1000, 2)} s at concurrency ${CONCURRENCY} → ${fmt(flowsPerSecond, 1)} flows/s`);
		console.log(`latency per flow (ms): p50 ${fmt(total.p50)}  p99 ${fmt(total.p99)}  max ${fmt(total.max)}`);
		console.log(
			`  phases p50/p99 (ms): authorize ${fmt(phases.authorize.p50)}/${fmt(phases.authorize.p99)}` +
				`  token ${fmt(phases.token.p50)}/${fmt(phases.token.p99)}  client verify ${fmt(phases.verify.p50, 2)}/${fmt(phases.verify.p99, 2)}`
		);
		console.log(
			`CPU per flow (ms): server ${fmt(cpu.serverMsPerOp, 2)}` +
				(kind === 'postgres' ? `  postgres ${fmt(cpu.postgresMsPerOp, 2)}` : '') +
				`  bench client ${fmt(cpu.clientMsPerOp, 2)}   (CLK_TCK ${CLK_TCK})`
		);
		console.log(
			`CPU share of ${os.cpus().length} cores: server ${pct(cpu.serverShare)}` +
				(kind === 'postgres' ? `  postgres ${pct(cpu.postgresShare)}` : '') +
				`  client ${pct(cpu.clientShare)}  other processes ${pct(cpu.otherShare)}  (machine busy ${pct(cpu.machineBusy)})`
		);
		if (cpu.otherShare > 0.1) console.log(`  warning: other processes used ${pct(cpu.otherShare)} of the CPU during the run; flows/s and latency are understated (CPU per flow is still meaningful)`);
		for (const [message, count] of [...errors].sort((a, b) => b[1] - a[1]).slice(0, 10)) console.log(`  error ×${count}: ${message}`);

		const row = { db: kind, flowsPerSecond, ...total, errors: errorCount, serverCPU: cpu.serverMsPerOp, postgresCPU: kind === 'postgres' ? cpu.postgresMsPerOp : NaN, clientCPU: cpu.clientMsPerOp, clientShare: cpu.clientShare, otherShare: cpu.otherShare };

		const grantAgent = newAgent(CONCURRENCY);
		const refresh = refreshRunner({ agent: grantAgent, discovery: server.discovery, cookie, redirectURI: `${origins.site1}/auth/callback` });
		await refresh.start(CONCURRENCY);
		row.refresh = await measureGrants('refresh_token', kind, server, FLOWS, CONCURRENCY, (worker) => refresh.grant(worker));
		const clientCredentials = clientCredentialsRunner({ agent: grantAgent, discovery: server.discovery, service: server.service });
		row.clientCredentials = await measureGrants('client_credentials', kind, server, FLOWS, CONCURRENCY, () => clientCredentials);
		grantAgent.destroy();
		row.errors += row.refresh.errors + row.clientCredentials.errors;

		if (!opts['no-throughput']) {
			for (const [name, url] of [
				['jwks', server.discovery.jwks_uri],
				['discovery', `${issuer}/.well-known/openid-configuration`]
			]) {
				const t = await throughput(url, SECONDS, THROUGHPUT_CONCURRENCY, server.pid);
				console.log(
					`${name.padEnd(9)}: ${fmt(t.rps, 0)} req/s  p50 ${fmt(t.p50, 2)} ms  p99 ${fmt(t.p99, 2)} ms  errors ${t.errors}` +
						`  server CPU ${fmt(t.cpu.serverMsPerOp * 1000, 0)} µs/req, client ${fmt(t.cpu.clientMsPerOp * 1000, 0)} µs/req (${pct(t.cpu.clientShare)} of cores), other load ${pct(t.cpu.otherShare)}`
				);
				row[name] = t;
			}
		}
		return row;
	} finally {
		// Stop the server and drop/remove this run's database.
		while (cleanups.length > cleanupMark) {
			try {
				await cleanups.pop()();
			} catch (error) {
				console.error(`bench: clean-up failed: ${error.message}`);
			}
		}
	}
}

// ---------------------------------------------------------------------------------------

function machineNote() {
	let model = os.cpus()[0]?.model?.trim() || 'unknown CPU';
	try {
		model = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m)?.[1]?.trim() || model;
	} catch {
		// Not Linux.
	}
	return `${model}, ${os.cpus().length} cores, node ${process.version}, ${os.platform()} ${os.release()}, load avg ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`;
}

async function main() {
	ensureBuild();
	console.log(`bench: ${FLOWS} flows at concurrency ${CONCURRENCY} (+${WARMUP} warm-up), throughput ${SECONDS} s at ${THROUGHPUT_CONCURRENCY}; databases: ${DATABASES.join(', ')}`);
	const rows = [];
	for (const kind of DATABASES) rows.push(await benchDatabase(kind));

	console.log('\n=== summary ===');
	const header = ['db', 'flows/s', 'p50 ms', 'p99 ms', 'max ms', 'errors', 'srv CPU ms/flow', 'pg CPU ms/flow', 'client CPU', 'other load', 'refresh/s', 'cc/s', 'jwks req/s', 'jwks p50/p99', 'disc req/s', 'disc p50/p99'];
	const table = rows.map((r) => [
		r.db,
		fmt(r.flowsPerSecond, 0),
		fmt(r.p50),
		fmt(r.p99),
		fmt(r.max),
		String(r.errors),
		fmt(r.serverCPU, 2),
		fmt(r.postgresCPU, 2),
		pct(r.clientShare),
		pct(r.otherShare),
		fmt(r.refresh.perSecond, 0),
		fmt(r.clientCredentials.perSecond, 0),
		r.jwks ? fmt(r.jwks.rps, 0) : '-',
		r.jwks ? `${fmt(r.jwks.p50, 1)}/${fmt(r.jwks.p99, 1)}` : '-',
		r.discovery ? fmt(r.discovery.rps, 0) : '-',
		r.discovery ? `${fmt(r.discovery.p50, 1)}/${fmt(r.discovery.p99, 1)}` : '-'
	]);
	const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
	for (const line of [header, ...table]) console.log(line.map((c, i) => c.padStart(widths[i])).join('  '));
	console.log(`machine: ${machineNote()}`);
	return rows.some((r) => r.errors > 0) ? 1 : 0;
}

let exitCode = 1;
try {
	exitCode = await main();
} catch (error) {
	console.error(`bench: ${error.stack ?? error}`);
} finally {
	await runCleanups();
}
process.exit(exitCode);
