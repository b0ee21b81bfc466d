// Measures one running provider (ours or the reference) with the same steps, counts and checks:
// warm-up flows, measured flows, refresh_token and client_credentials grants, then JWKS and
// discovery throughput. Prints as it goes and returns one summary row.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { onCleanup } from './cleanups.js';
import { newAgent } from './http.js';
import { CLK_TCK, CORES, cpuDelta, cpuSnapshot, fmt, pct, percentiles } from './measure.js';
import { clientCredentialsRunner, flowRunner, refreshRunner, runPool, throughput } from './runners.js';

const THROUGHPUT_CONCURRENCY = 32;

/**
 * `target`: { name, kind ('pglite' | 'postgres'), pid, spawnedAt, database (or null), discovery,
 * cookie (the signed-in session), redirectURI, service ({ id, secret }) }.
 * `settings`: { flows, concurrency, warmup, seconds, throughput, perf, profile }.
 */
export async function measureTarget(target, settings) {
	const { flows: FLOWS, concurrency: CONCURRENCY } = settings;
	const withPostgres = target.kind === 'postgres';
	const backendPids = async () => (target.database ? target.database.backendPids() : []);
	const tag = `${target.name}-${target.kind}`;

	const agent = newAgent(CONCURRENCY);
	const flows = flowRunner({ agent, discovery: target.discovery, cookie: target.cookie, redirectURI: target.redirectURI });
	if (settings.warmup) {
		const warm = await runPool(settings.warmup, CONCURRENCY, () => flows.flow);
		console.log(`bench: warm-up ${warm.results.length}/${settings.warmup} flows ok`);
		for (const [message, count] of [...warm.errors].slice(0, 3)) console.log(`  warm-up error ×${count}: ${message}`);
	}
	const perf = settings.perf ? await startPerf(target.pid, join(resolve(settings.perf), `perf-${tag}.data`)) : null;
	const before = cpuSnapshot(target.pid, withPostgres);
	const { results, errors, errorCount } = await runPool(FLOWS, CONCURRENCY, () => flows.flow);
	const after = cpuSnapshot(target.pid, withPostgres);
	if (perf) await perf.stop();
	if (settings.profile) {
		const since = (t) => ((t - target.spawnedAt) / 1000).toFixed(1);
		console.log(`bench: measured flows ran ${since(before.wall)}-${since(after.wall)} s after the server started (cpuprofile-summary.js --from/--to)`);
	}
	const cpu = cpuDelta(before, after, FLOWS, await backendPids());
	const total = percentiles(results.map((r) => r.total));
	const phases = Object.fromEntries(['authorize', 'token', 'verify'].map((p) => [p, percentiles(results.map((r) => r[p]))]));
	const flowsPerSecond = results.length / (cpu.wallMs / 1000);

	console.log(
		`flows: ${results.length} ok, ${errorCount} errors in ${fmt(cpu.wallMs / 1000, 2)} s at concurrency ${CONCURRENCY} → ${fmt(flowsPerSecond, 1)} flows/s`
	);
	console.log(`latency per flow (ms): p50 ${fmt(total.p50)}  p99 ${fmt(total.p99)}  max ${fmt(total.max)}`);
	console.log(
		`  phases p50/p99 (ms): authorize ${fmt(phases.authorize.p50)}/${fmt(phases.authorize.p99)}` +
			`  token ${fmt(phases.token.p50)}/${fmt(phases.token.p99)}  client verify ${fmt(phases.verify.p50, 2)}/${fmt(phases.verify.p99, 2)}`
	);
	console.log(
		`CPU per flow (ms): server ${fmt(cpu.serverMsPerOp, 2)}` +
			(withPostgres ? `  postgres ${fmt(cpu.postgresMsPerOp, 2)}` : '') +
			`  bench client ${fmt(cpu.clientMsPerOp, 2)}   (CLK_TCK ${CLK_TCK})`
	);
	console.log(
		`CPU share of ${CORES} cores: server ${pct(cpu.serverShare)}` +
			(withPostgres ? `  postgres ${pct(cpu.postgresShare)}` : '') +
			`  client ${pct(cpu.clientShare)}  other processes ${pct(cpu.otherShare)}  (machine busy ${pct(cpu.machineBusy)})`
	);
	if (cpu.otherShare > 0.1)
		console.log(
			`  warning: other processes used ${pct(cpu.otherShare)} of the CPU during the run; flows/s and latency are understated (CPU per flow is still meaningful)`
		);
	printErrors(errors, 10);

	const row = {
		name: target.name,
		db: target.kind,
		flowsPerSecond,
		...total,
		errors: errorCount,
		serverCPU: cpu.serverMsPerOp,
		postgresCPU: withPostgres ? cpu.postgresMsPerOp : NaN,
		clientCPU: cpu.clientMsPerOp,
		clientShare: cpu.clientShare,
		otherShare: cpu.otherShare
	};

	const grants = async (name, fnFor) => {
		const before = cpuSnapshot(target.pid, withPostgres);
		const { results, errors, errorCount } = await runPool(FLOWS, CONCURRENCY, fnFor);
		const after = cpuSnapshot(target.pid, withPostgres);
		const cpu = cpuDelta(before, after, Math.max(1, results.length), await backendPids());
		const latency = percentiles(results.map((r) => r.total));
		const perSecond = results.length / (cpu.wallMs / 1000);
		console.log(
			`${name.padEnd(18)}: ${results.length} ok, ${errorCount} errors → ${fmt(perSecond, 0)} grants/s  p50 ${fmt(latency.p50)} ms  p99 ${fmt(latency.p99)} ms` +
				`  CPU per grant: server ${fmt(cpu.serverMsPerOp, 2)} ms` +
				(withPostgres ? `, postgres ${fmt(cpu.postgresMsPerOp, 2)} ms` : '') +
				`  (server ${pct(cpu.serverShare)} of ${CORES} cores, other load ${pct(cpu.otherShare)})`
		);
		printErrors(errors, 5);
		return {
			perSecond,
			...latency,
			errors: errorCount,
			serverCPU: cpu.serverMsPerOp,
			postgresCPU: withPostgres ? cpu.postgresMsPerOp : NaN,
			otherShare: cpu.otherShare
		};
	};
	row.refresh = await grants('refresh_token', await refreshRunner({ agent, discovery: target.discovery, flows, workers: CONCURRENCY }));
	const clientCredentials = clientCredentialsRunner({ agent, discovery: target.discovery, service: target.service });
	row.clientCredentials = await grants('client_credentials', () => clientCredentials);
	agent.destroy();
	row.errors += row.refresh.errors + row.clientCredentials.errors;

	if (settings.throughput) {
		for (const [name, url] of [
			['jwks', target.discovery.jwks_uri],
			['discovery', `${target.discovery.issuer}/.well-known/openid-configuration`]
		]) {
			const t = await throughput(url, settings.seconds, THROUGHPUT_CONCURRENCY, target.pid);
			console.log(
				`${name.padEnd(9)}: ${fmt(t.rps, 0)} req/s  p50 ${fmt(t.p50, 2)} ms  p99 ${fmt(t.p99, 2)} ms  errors ${t.errors}` +
					`  server CPU ${fmt(t.cpu.serverMsPerOp * 1000, 0)} µs/req, client ${fmt(t.cpu.clientMsPerOp * 1000, 0)} µs/req ` +
					`(${pct(t.cpu.clientShare)} of cores), other load ${pct(t.cpu.otherShare)}`
			);
			row[name] = t;
		}
	}
	return row;
}

export const THROUGHPUT_SETTINGS = { concurrency: THROUGHPUT_CONCURRENCY };

function printErrors(errors, top) {
	for (const [message, count] of [...errors].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  error ×${count}: ${message}`);
}

/** `perf record` on the server process until stop(); its samples are on-CPU time only. */
async function startPerf(pid, file) {
	mkdirSync(dirname(file), { recursive: true });
	const child = spawn('perf', ['record', '-q', '-e', 'cpu-clock', '-F', '999', '-g', '-p', String(pid), '-o', file], {
		stdio: ['ignore', 'ignore', 'inherit']
	});
	const exited = new Promise((r) => child.once('exit', r));
	child.once('error', (error) => console.error(`bench: perf: ${error.message}`));
	const stop = async () => {
		if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
		await exited;
	};
	onCleanup(stop);
	await new Promise((r) => setTimeout(r, 500));
	console.log(`bench: perf record attached to ${pid} → ${file}`);
	return { stop };
}
