import { describe, expect, it } from 'vitest';
import { loadDeveloperPagesSetting } from './developer-pages-setting';

describe('DEVELOPER_PAGES', () => {
	it('is on under vite dev and off in a production build unless set', () => {
		expect(loadDeveloperPagesSetting({}, true)).toBe(true);
		expect(loadDeveloperPagesSetting({}, false)).toBe(false);
		expect(loadDeveloperPagesSetting({ DEVELOPER_PAGES: '' }, false)).toBe(false);
	});

	it('follows an explicit true or false either way', () => {
		expect(loadDeveloperPagesSetting({ DEVELOPER_PAGES: 'true' }, false)).toBe(true);
		expect(loadDeveloperPagesSetting({ DEVELOPER_PAGES: 'FALSE' }, true)).toBe(false);
	});

	it('stops the start on any other value, naming the variable', () => {
		expect(() => loadDeveloperPagesSetting({ DEVELOPER_PAGES: 'yes' }, false)).toThrow('DEVELOPER_PAGES must be "true" or "false", not "yes"');
	});
});
