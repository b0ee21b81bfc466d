// Load benchmark for the provider: complete authorization-code flows, refresh_token and
// client_credentials grants, JWKS and discovery throughput, against a production build
// (`node build`) on PGlite and/or Postgres, and side by side with node-oidc-provider on
// Postgres (issue #10; docs/benchmark.md).
//
//   npm run bench -- [--flows 2000] [--concurrency 16] [--seconds 5] [--db pglite|postgres|both]
//                    [--warmup 3000] [--port-base 4300] [--no-throughput] [--profile DIR] [--perf DIR]
//                    [--no-reference | --reference-only] [--no-dev-sign-in]
//
// --warmup       flows run before measuring. V8 is still compiling the hot paths after a few
//                hundred flows (background compile threads showed 0.65 ms/flow after 200);
//                by ~3000 it is in a steady state.
// --port-base    provider on that port, the demo sites on the next two (default 4300-4302),
//                node-oidc-provider on the one after (4303).
// --no-reference skip node-oidc-provider. It runs by default whenever Postgres is measured:
//                the same flows, counts, concurrency and warm-up on its own fresh database,
//                then a side-by-side table (ours ÷ reference) and the published figures of
//                Keycloak and Ory Hydra scaled to this machine's cores.
// --reference-only  measure node-oidc-provider alone (needs Postgres; no build needed).
// --no-dev-sign-in  skip the laptop figure: by default the bench also starts `vite dev` on a
//                fresh PGlite (ports P+10..P+13) and times a browser's complete sign-in to the
//                dashboard (7 hops, a new cookie jar each time): the first (Vite compiles on
//                demand) and 20 more.
// --profile DIR  starts the servers with `node --cpu-prof` (V8 main-thread profile of its whole
//                life; summarise with `node scripts/cpuprofile-summary.js FILE --from S --to S`).
//                Its samples are wall-clock: on a busy 2-core box, time the main thread spends
//                preempted right after waking a peer (socket writes, thread-pool jobs) is charged
//                to writeBuffer / jobPromise.
// --perf DIR     starts the servers with --perf-basic-prof and attaches `perf record -e cpu-clock -g`
//                for the measured flows only (DIR/perf-<server>-<db>.data): on-CPU samples of every
//                thread, thread pool (WebCrypto RSA signing) and GC threads included. Summarise
//                with `node scripts/perf-summary.js DIR/perf-ours-<db>.data --flows N` (needs the
//                /tmp/perf-<pid>.map the server wrote).
//
// Postgres runs when --db asks for it, or by default when BENCH_DATABASE_URL or DATABASE_URL
// is set: a fresh database with a unique name is created on that server for each measured
// server and dropped afterwards; "postgres CPU" counts only the backends serving that database.
// The load generator runs in this process (scripts/bench/http.js), so it shares the CPU with
// the server; its own CPU time is reported, and so is the CPU used by other processes during
// the run ("other load"): when that is high, flows/s and latency are understated, CPU per
// flow much less so.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cleanupMark, runCleanups } from './bench/cleanups.js';
import { machineNote } from './bench/measure.js';
import { measureTarget, THROUGHPUT_SETTINGS } from './bench/measure-target.js';
import { measureDevSignIn } from './bench/dev-sign-in.js';
import { ensureBuild, startOurs } from './bench/ours.js';
import { startReference } from './bench/reference/start.js';
import { printSideBySide, printSummary } from './bench/report.js';

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
		'no-reference': { type: 'boolean', default: false },
		'reference-only': { type: 'boolean', default: false },
		'no-dev-sign-in': { type: 'boolean', default: false },
		help: { type: 'boolean', short: 'h', default: false }
	}
});
if (opts.help) {
	const header = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
	console.log(
		header
			.slice(
				0,
				header.findIndex((line) => !line.startsWith('//'))
			)
			.join('\n')
	);
	process.exit(0);
}

function fail(message) {
	console.error(`bench: ${message}`);
	process.exit(2);
}

function positiveInt(name) {
	const n = Number.parseInt(opts[name], 10);
	if (!(n > 0)) fail(`--${name} must be a positive integer`);
	return n;
}

const POSTGRES_URL = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || '';
const PORT_BASE = positiveInt('port-base');
const settings = {
	flows: positiveInt('flows'),
	concurrency: positiveInt('concurrency'),
	seconds: Number(opts.seconds),
	warmup: Math.max(0, Number.parseInt(opts.warmup, 10) || 0),
	throughput: !opts['no-throughput'],
	profile: opts.profile,
	perf: opts.perf
};
if (!(settings.seconds > 0)) fail('--seconds must be a positive number');
if (opts['reference-only'] && opts['no-reference']) fail('--reference-only and --no-reference exclude each other');
const DATABASES = (() => {
	if (opts['reference-only']) return [];
	const choice = opts.db ?? (POSTGRES_URL ? 'both' : 'pglite');
	const list = { pglite: ['pglite'], postgres: ['postgres'], both: ['pglite', 'postgres'] }[choice];
	if (!list) fail(`--db must be pglite, postgres or both (got "${choice}")`);
	if (list.includes('postgres') && !POSTGRES_URL) fail('--db postgres needs BENCH_DATABASE_URL or DATABASE_URL');
	return list;
})();
// The reference stores in Postgres (the goal of issue #10 is about Postgres).
const REFERENCE = opts['reference-only'] || (!opts['no-reference'] && DATABASES.includes('postgres'));
if (REFERENCE && !POSTGRES_URL) fail('--reference-only needs BENCH_DATABASE_URL or DATABASE_URL (node-oidc-provider is measured on Postgres)');

/** Starts one server, measures it (with measureTarget unless `run` is its own measurement), stops it and drops its database. */
async function measure(title, start, target = true) {
	console.log(`\n=== ${title} ===`);
	const mark = cleanupMark();
	try {
		const started = await start();
		return target ? await measureTarget(started, settings) : started;
	} finally {
		await runCleanups(mark);
	}
}

async function main() {
	if (DATABASES.length) ensureBuild();
	console.log(
		`bench: ${settings.flows} flows at concurrency ${settings.concurrency} (+${settings.warmup} warm-up), ` +
			`throughput ${settings.seconds} s at ${THROUGHPUT_SETTINGS.concurrency}; ` +
			`ours on: ${DATABASES.join(', ') || '(skipped)'}; node-oidc-provider on Postgres: ${REFERENCE ? 'yes' : 'no'}`
	);
	const profiling = { profile: settings.profile, perf: settings.perf };
	const rows = [];
	for (const kind of DATABASES) rows.push(await measure(`ours, ${kind}`, () => startOurs(kind, { portBase: PORT_BASE, postgresURL: POSTGRES_URL, profiling })));
	if (REFERENCE) {
		rows.push(
			await measure('node-oidc-provider (reference), postgres', () =>
				startReference({ port: PORT_BASE + 3, sitePorts: [PORT_BASE + 1, PORT_BASE + 2], postgresURL: POSTGRES_URL, profiling })
			)
		);
	}

	// The laptop figure: `npm run dev` on the embedded database, as a browser signs in.
	const devSignIn =
		opts['no-dev-sign-in'] || opts['reference-only']
			? null
			: await measure('ours, `npm run dev` (vite dev, PGlite)', () => measureDevSignIn({ portBase: PORT_BASE + 10, runs: 20 }), false);

	console.log('\n=== summary ===');
	printSummary(rows);
	if (devSignIn)
		console.log(
			`npm run dev: first sign-in ${devSignIn.first.toFixed(0)} ms, then p50 ${devSignIn.p50.toFixed(0)} ms, max ${devSignIn.max.toFixed(0)} ms ` +
				`(a new browser each time, 7 hops)`
		);
	const ours = rows.find((r) => r.name === 'ours' && r.db === 'postgres');
	const reference = rows.find((r) => r.name === 'reference');
	if (ours && reference) {
		console.log('\n=== ours vs. node-oidc-provider 9, both on Postgres, same run ===');
		printSideBySide(ours, reference);
	}
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
