import { describe, expect, it } from 'vitest';
import { loadCleanup, loadLimits, parseWindowLimit } from './config-limits';

describe('rate-limit configuration', () => {
	it('defaults', () => {
		const limits = loadLimits({});
		expect(limits.signIn.perAccountAndAddress).toEqual({ kind: 'window', limit: 5, windowSeconds: 900 });
		expect(limits.signIn.perAddress).toEqual({ kind: 'window', limit: 30, windowSeconds: 900 });
		expect(limits.signIn.perAccount).toEqual({ kind: 'delay', freeAttempts: 10, windowSeconds: 3600, firstDelaySeconds: 1, maxDelaySeconds: 60 });
		expect(limits.signUp).toEqual({ kind: 'window', limit: 50, windowSeconds: 3600 });
		expect(limits.registration).toEqual({ kind: 'window', limit: 100, windowSeconds: 3600 });
		expect(limits.passkeyOptions).toEqual({ kind: 'window', limit: 200, windowSeconds: 900 });
		expect(loadCleanup({})).toEqual({ intervalSeconds: 600, abandonedClientAgeSeconds: 30 * 86_400, securityLogRetentionDays: 90 });
	});

	it('an operator can change each one', () => {
		expect(loadLimits({ RATE_LIMIT_REGISTRATION_PER_IP: '3/30s' }).registration).toEqual({ kind: 'window', limit: 3, windowSeconds: 30 });
		expect(loadCleanup({ CLEANUP_INTERVAL: 'off', CLEANUP_ABANDONED_CLIENTS_AFTER: '7d', SECURITY_LOG_RETENTION_DAYS: '30' })).toEqual({
			intervalSeconds: 0,
			abandonedClientAgeSeconds: 7 * 86_400,
			securityLogRetentionDays: 30
		});
	});

	it.each(['5', '5/', '0/1m', '-1/1m', 'x/1m', '5/15', '5/15y', '1.5/1m'])('refuses %j, naming the variable', (value) => {
		expect(() => parseWindowLimit('RATE_LIMIT_SIGN_UP_PER_IP', value)).toThrow(/^RATE_LIMIT_SIGN_UP_PER_IP must/);
	});

	it.each(['0', '-1', '1.5', '90d', 'x', '3651'])('SECURITY_LOG_RETENTION_DAYS refuses %j, naming the variable', (value) => {
		expect(() => loadCleanup({ SECURITY_LOG_RETENTION_DAYS: value })).toThrow(/^SECURITY_LOG_RETENTION_DAYS must be a whole number of days/);
	});
});
