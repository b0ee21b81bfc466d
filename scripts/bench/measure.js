// CPU accounting from /proc (server, its Postgres backends, this client, the whole machine),
// latency percentiles and number formatting.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';

export const CLK_TCK = (() => {
	try {
		return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
	} catch {
		return 100;
	}
})();

export const CORES = os.cpus().length;

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

export function cpuSnapshot(serverPid, withPostgres = false) {
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
export function cpuDelta(before, after, count, backendPids = []) {
	const wall = after.wall - before.wall;
	let postgres = 0;
	for (const pid of backendPids) {
		if (after.postgres.has(pid)) postgres += after.postgres.get(pid) - (before.postgres.get(pid) ?? 0);
	}
	const m = { busy: after.machine.busy - before.machine.busy, total: after.machine.total - before.machine.total };
	return {
		wallMs: wall,
		serverMsPerOp: (after.server - before.server) / count,
		postgresMsPerOp: postgres / count,
		clientMsPerOp: (after.client - before.client) / count,
		serverShare: (after.server - before.server) / (wall * CORES),
		postgresShare: postgres / (wall * CORES),
		clientShare: (after.client - before.client) / (wall * CORES),
		machineBusy: m.total ? m.busy / m.total : 0,
		/** Busy CPU not accounted to server, client or (when measured) Postgres: other load on the box. */
		get otherShare() {
			return Math.max(0, this.machineBusy - this.serverShare - this.clientShare - this.postgresShare);
		}
	};
}

export function percentiles(samples) {
	const sorted = Float64Array.from(samples).sort();
	const at = (q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] : NaN);
	return { p50: at(0.5), p99: at(0.99), max: sorted.length ? sorted[sorted.length - 1] : NaN };
}

export const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
export const pct = (x) => (Number.isFinite(x) ? `${(x * 100).toFixed(0)}%` : '-');

export function machineNote() {
	let model = os.cpus()[0]?.model?.trim() || 'unknown CPU';
	try {
		model =
			readFileSync('/proc/cpuinfo', 'utf8')
				.match(/^model name\s*:\s*(.+)$/m)?.[1]
				?.trim() || model;
	} catch {
		// Not Linux.
	}
	return `${model}, ${CORES} cores, node ${process.version}, ${os.platform()} ${os.release()}, load avg ${os
		.loadavg()
		.map((l) => l.toFixed(2))
		.join(' ')}`;
}
