// Starts a measured server as a child process and waits until it answers discovery.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { onCleanup } from './cleanups.js';
import { newAgent, request } from './http.js';
import { fmt } from './measure.js';

/**
 * Node flags for --profile / --perf (see bench.js), with output files named after `tag`.
 * --perf-basic-prof also turns on V8's log file: kept beside the perf data, not in the cwd.
 */
export function profilingNodeArgs({ profile, perf }, tag) {
	const args = [];
	if (perf) {
		mkdirSync(resolve(perf), { recursive: true });
		args.push('--perf-basic-prof', `--logfile=${join(resolve(perf), `v8-${tag}.log`)}`);
	}
	if (profile) args.push('--cpu-prof', `--cpu-prof-dir=${resolve(profile)}`, `--cpu-prof-name=server-${tag}-${Date.now()}.cpuprofile`);
	return args;
}

/** `node ...args` in `cwd` with `env`; resolves once `issuer`'s discovery answers 200. */
export async function startServerProcess({ args, cwd, env, label, issuer }) {
	const spawnedAt = performance.now();
	const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
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
	onCleanup(stop);
	console.log(`bench: starting \`node ${args.join(' ')}\` (pid ${child.pid}) on ${label}`);

	const agent = newAgent(1);
	const started = performance.now();
	let discovery;
	while (!discovery) {
		if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output}`);
		if (performance.now() - started > 120_000) throw new Error(`server did not answer discovery within 120 s:\n${output}`);
		try {
			const res = await request(agent, `${issuer}/.well-known/openid-configuration`);
			if (res.status === 200) discovery = JSON.parse(res.body);
		} catch {
			await new Promise((r) => setTimeout(r, 100));
		}
	}
	agent.destroy();
	console.log(`bench: server ready in ${fmt((performance.now() - started) / 1000, 1)} s`);
	if (discovery.issuer !== issuer) throw new Error(`discovery issuer is ${discovery.issuer}, expected ${issuer}`);
	return { pid: child.pid, discovery, stop, spawnedAt, output: () => output };
}
