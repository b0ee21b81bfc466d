import { describe, expect, it } from 'vitest';
import { loadFlowInspectorSetting } from './flow-inspector-setting';

describe('FLOW_INSPECTOR', () => {
	it('is off in a production build unless the operator says true, and on under vite dev unless told false', () => {
		expect(loadFlowInspectorSetting({}, false)).toBe(false);
		expect(loadFlowInspectorSetting({ FLOW_INSPECTOR: '' }, false)).toBe(false);
		expect(loadFlowInspectorSetting({ FLOW_INSPECTOR: 'true' }, false)).toBe(true);
		expect(loadFlowInspectorSetting({}, true)).toBe(true);
		expect(loadFlowInspectorSetting({ FLOW_INSPECTOR: 'false' }, true)).toBe(false);
	});

	it("refuses anything else at start, with the variable's name (a typo must not silently turn it on or off)", () => {
		expect(() => loadFlowInspectorSetting({ FLOW_INSPECTOR: 'yes' }, false)).toThrow(/FLOW_INSPECTOR must be "true" or "false"/);
	});
});
