import { describe, expect, it } from 'vitest';
import { DEFAULT_RECENT_AUTH_SECONDS, loadRecentAuthSeconds } from '../config-recent-auth';
import { isRecentAuthentication, reauthenticationPath } from './recent-auth';

const T0 = new Date('2026-01-01T12:00:00Z');
const after = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

describe('recent authentication', () => {
	it('a sign-in up to the window ago counts; one second more does not', () => {
		expect(isRecentAuthentication(T0, 600, after(600))).toBe(true);
		expect(isRecentAuthentication(T0, 600, after(601))).toBe(false);
	});

	it('the re-authentication page is the sign-in page with prompt=login, coming back to the page asked for', () => {
		const url = new URL(reauthenticationPath('/account/password'), 'http://localhost');
		expect(url.pathname).toBe('/auth/login');
		expect(url.searchParams.get('prompt')).toBe('login');
		expect(url.searchParams.get('return_to')).toBe('/account/password');
		expect(url.searchParams.get('notice')).toBe('reauthenticate');
	});

	it('REAUTHENTICATE_AFTER_SECONDS defaults to 10 minutes and refuses nonsense', () => {
		expect(loadRecentAuthSeconds({})).toBe(DEFAULT_RECENT_AUTH_SECONDS);
		expect(DEFAULT_RECENT_AUTH_SECONDS).toBe(600);
		expect(loadRecentAuthSeconds({ REAUTHENTICATE_AFTER_SECONDS: '120' })).toBe(120);
		for (const bad of ['0', '-5', '1.5', 'soon', '86401'])
			expect(() => loadRecentAuthSeconds({ REAUTHENTICATE_AFTER_SECONDS: bad })).toThrow(/REAUTHENTICATE_AFTER_SECONDS/);
	});
});
