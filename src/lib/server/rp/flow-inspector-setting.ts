/**
 * FLOW_INSPECTOR: whether the demo sites record each flow for their "What just happened"
 * page. The pages show ID token claims and protocol details, so a production build records
 * nothing unless the operator says `true`; `vite dev` records by default (`false` turns it off).
 */
export function loadFlowInspectorSetting(vars: Record<string, string | undefined>, dev: boolean): boolean {
	const raw = vars.FLOW_INSPECTOR?.trim().toLowerCase();
	if (raw === undefined || raw === '') return dev;
	if (raw === 'true') return true;
	if (raw === 'false') return false;
	throw new Error(`FLOW_INSPECTOR must be "true" or "false", not "${vars.FLOW_INSPECTOR}"`);
}
