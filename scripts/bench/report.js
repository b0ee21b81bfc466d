// The closing tables: one row per measured server, then ours against node-oidc-provider
// side by side (issue #10), with the published figures of other servers for scale.
import { CORES, fmt, pct } from './measure.js';

function printTable(header, rows, alignLeft = [0]) {
	const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
	for (const line of [header, ...rows]) console.log(line.map((c, i) => (alignLeft.includes(i) ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
}

export function printSummary(rows) {
	const header = ['server', 'db', 'flows/s', 'p50 ms', 'p99 ms', 'max ms', 'errors', 'srv CPU ms/flow', 'pg CPU ms/flow', 'client CPU', 'other load', 'refresh/s', 'cc/s', 'jwks req/s', 'jwks p50/p99', 'disc req/s', 'disc p50/p99'];
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
	const add = (metric, a, b, digits, goal, met) => lines.push([metric, fmt(a, digits), fmt(b, digits), ratio(a, b), goal ? `${goal}${met === undefined ? '' : met ? ' ✓' : ' ✗'}` : '']);
	add('flows/s', ours.flowsPerSecond, reference.flowsPerSecond, 0, '≥ 2× (higher is better)', ours.flowsPerSecond >= 2 * reference.flowsPerSecond);
	add('flow p50 ms', ours.p50, reference.p50, 1, 'lower is better');
	add('flow p99 ms', ours.p99, reference.p99, 1, '≤ 1× (no worse)', ours.p99 <= reference.p99);
	add('server CPU ms/flow', ours.serverCPU, reference.serverCPU, 2, 'lower is better');
	add('postgres CPU ms/flow', ours.postgresCPU, reference.postgresCPU, 2, 'lower is better');
	add('refresh grants/s', ours.refresh.perSecond, reference.refresh.perSecond, 0, 'higher is better');
	add('refresh p99 ms', ours.refresh.p99, reference.refresh.p99, 1, 'lower is better');
	add('server CPU ms/refresh', ours.refresh.serverCPU, reference.refresh.serverCPU, 2, 'lower is better');
	add('postgres CPU ms/refresh', ours.refresh.postgresCPU, reference.refresh.postgresCPU, 2, 'lower is better');
	add('client_credentials/s', ours.clientCredentials.perSecond, reference.clientCredentials.perSecond, 0, 'higher is better');
	add('client_cred. p99 ms', ours.clientCredentials.p99, reference.clientCredentials.p99, 1, 'lower is better');
	add('server CPU ms/cc grant', ours.clientCredentials.serverCPU, reference.clientCredentials.serverCPU, 2, 'lower is better');
	add('postgres CPU ms/cc grant', ours.clientCredentials.postgresCPU, reference.clientCredentials.postgresCPU, 2, 'lower is better');
	if (ours.jwks && reference.jwks) {
		add('JWKS req/s', ours.jwks.rps, reference.jwks.rps, 0, '≥ 1× (keep the lead)', ours.jwks.rps >= reference.jwks.rps);
		add('discovery req/s', ours.discovery.rps, reference.discovery.rps, 0, '≥ 1× (keep the lead)', ours.discovery.rps >= reference.discovery.rps);
	}
	lines.push(['other load (flows)', pct(ours.otherShare), pct(reference.otherShare), '', 'CPU of other processes during the flows']);
	printTable(['metric', 'ours', 'node-oidc-provider', 'ours/ref', 'goal (issue #10)'], lines, [0, 4]);

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
			` ${fmt(reference.refresh.perSecond, 0)}/s node-oidc-provider; client_credentials ${fmt(ours.clientCredentials.perSecond, 0)}/s ours, ${fmt(reference.clientCredentials.perSecond, 0)}/s node-oidc-provider.`
	);
}
