// The closing tables: one row per measured server, then ours against node-oidc-provider
// side by side (issue #10), with the published figures of other servers for scale.
import { CORES, fmt, pct } from './measure.js';

function printTable(header, rows, alignLeft = [0]) {
	const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
	for (const line of [header, ...rows]) console.log(line.map((c, i) => (alignLeft.includes(i) ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
}

export function printSummary(rows) {
	const header = [
		'server',
		'db',
		'flows/s',
		'p50 ms',
		'p99 ms',
		'max ms',
		'errors',
		'srv CPU ms/flow',
		'pg CPU ms/flow',
		'client CPU',
		'other load',
		'refresh/s',
		'cc/s',
		'jwks req/s',
		'jwks p50/p99',
		'disc req/s',
		'disc p50/p99'
	];
	printTable(
		header,
		rows.map((r) => [
			r.name,
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
		]),
		[0, 1]
	);
}

/**
 * Published figures, per CPU, scaled to this machine's cores. Not measured here: other
 * hardware, other flows (and Keycloak/Hydra are not running on this box).
 */
export const PUBLISHED = {
	// Keycloak's sizing guide: 120 refresh-token grants per second per vCPU.
	keycloakRefreshPerCPU: 120,
	// Ory Hydra's benchmark page: 513 client_credentials grants per second on 2 CPUs.
	hydraClientCredentialsPerCPU: 513 / 2
};

/**
 * Ours against the reference, metric by metric: the ratio is ours ÷ reference, and the goal
 * column says which way is better and whether issue #10's target holds on this run.
 */
export function printSideBySide(ours, reference) {
	const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? `${(a / b).toFixed(2)}×` : '-');
	const lines = [];
	// `load`: the other processes' CPU share while each side ran this step (ours/ref); rates
	// measured under different load are not comparable, CPU per operation much more so.
	const add = (metric, a, b, digits, goal, met, load) =>
		lines.push([
			metric,
			fmt(a, digits),
			fmt(b, digits),
			ratio(a, b),
			goal ? `${goal}${met === undefined ? '' : met ? ' ✓' : ' ✗'}` : '',
			load ? `${pct(load[0])}/${pct(load[1])}` : ''
		]);
	const flowLoad = [ours.otherShare, reference.otherShare];
	add('flows/s', ours.flowsPerSecond, reference.flowsPerSecond, 0, '≥ 2× (higher is better)', ours.flowsPerSecond >= 2 * reference.flowsPerSecond, flowLoad);
	add('flow p50 ms', ours.p50, reference.p50, 1, 'lower is better');
	add('flow p99 ms', ours.p99, reference.p99, 1, '≤ 1× (no worse)', ours.p99 <= reference.p99);
	add('server CPU ms/flow', ours.serverCPU, reference.serverCPU, 2, 'lower is better');
	add('postgres CPU ms/flow', ours.postgresCPU, reference.postgresCPU, 2, 'lower is better');
	for (const [label, key] of [
		['refresh', 'refresh'],
		['client_credentials', 'clientCredentials']
	]) {
		const [o, r] = [ours[key], reference[key]];
		add(`${label} grants/s`, o.perSecond, r.perSecond, 0, 'higher is better', undefined, [o.otherShare, r.otherShare]);
		add(`${label} p99 ms`, o.p99, r.p99, 1, 'lower is better');
		add(`server CPU ms/${label}`, o.serverCPU, r.serverCPU, 2, 'lower is better');
		add(`postgres CPU ms/${label}`, o.postgresCPU, r.postgresCPU, 2, 'lower is better');
	}
	for (const [label, key] of [
		['JWKS', 'jwks'],
		['discovery', 'discovery']
	]) {
		const [o, r] = [ours[key], reference[key]];
		if (!o || !r) continue;
		add(`${label} req/s`, o.rps, r.rps, 0, '≥ 1× (keep the lead)', o.rps >= r.rps, [o.cpu.otherShare, r.cpu.otherShare]);
		add(`${label} p99 ms`, o.p99, r.p99, 2, 'lower is better');
		add(`server CPU µs/${label} req`, o.cpu.serverMsPerOp * 1000, r.cpu.serverMsPerOp * 1000, 0, 'lower is better');
	}
	printTable(['metric', 'ours', 'node-oidc-provider', 'ours/ref', 'goal (issue #10)', 'other load ours/ref'], lines, [0, 4]);

	const keycloak = PUBLISHED.keycloakRefreshPerCPU * CORES;
	const hydra = PUBLISHED.hydraClientCredentialsPerCPU * CORES;
	// The published figures are per CPU of the server: ours per core-second of server (+ Postgres) CPU.
	const perCore = (row) => fmt(1000 / (row.serverCPU + (Number.isFinite(row.postgresCPU) ? row.postgresCPU : 0)), 0);
	console.log(
		`per core, from CPU per grant (server + postgres): refresh ${perCore(ours.refresh)}/s ours, ${perCore(reference.refresh)}/s node-oidc-provider;` +
			` client_credentials ${perCore(ours.clientCredentials)}/s ours, ${perCore(reference.clientCredentials)}/s node-oidc-provider`
	);
	console.log(
		`published, NOT measured here (per CPU × ${CORES} cores of this machine): Keycloak ${fmt(keycloak, 0)} refresh/s (sizing guide: 120 per vCPU);` +
			` Ory Hydra ${fmt(hydra, 0)} client_credentials/s (513 on 2 CPUs). Measured here: refresh ${fmt(ours.refresh.perSecond, 0)}/s ours,` +
			` ${fmt(reference.refresh.perSecond, 0)}/s node-oidc-provider; client_credentials ${fmt(ours.clientCredentials.perSecond, 0)}/s ours, ` +
			`${fmt(reference.clientCredentials.perSecond, 0)}/s node-oidc-provider.`
	);
}
