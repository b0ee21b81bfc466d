// Finding 6 (issue #6): what a flood leaves behind does not stay forever. The production build
// runs the clean-up by itself (from the init hook, every CLEANUP_INTERVAL), here with
// one-second windows and interval so the test need not wait long.
import { describe, expect, it } from 'vitest';
import { useProductionServer } from '../support/provider-fixture';

const ADDRESS_HEADER = 'x-test-client-ip';

const server = useProductionServer(
	{
		port: 4362,
		serve: 'provider',
		env: {
			ADDRESS_HEADER,
			CLEANUP_INTERVAL: '1s',
			RATE_LIMIT_REGISTRATION_PER_IP: '3/1s',
			RATE_LIMIT_SIGN_UP_PER_IP: '3/1s',
			RATE_LIMIT_SIGN_IN_PER_IP: '3/1s',
			RATE_LIMIT_SIGN_IN_PER_ACCOUNT_AND_IP: '3/1s',
			RATE_LIMIT_SIGN_IN_PER_ACCOUNT: '3/1s',
			// Counters are kept for the longest configured window: make them all short.
			RATE_LIMIT_PASSWORD_RESET_PER_IP: '3/1s',
			RATE_LIMIT_MAIL_PER_RECIPIENT: '3/1s',
			RATE_LIMIT_SECOND_FACTOR_PER_ACCOUNT: '3/1s',
			RATE_LIMIT_PASSKEY_OPTIONS_PER_IP: '3/1s'
		}
	},
	180_000
);

describe('the server cleans up by itself', () => {
	it("a flood's rate-limit counters are deleted once their window is over, and the address may register again", async () => {
		const register = () =>
			fetch(`${server.urls.provider}/api/auth/register`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', [ADDRESS_HEADER]: '198.18.200.1' },
				body: JSON.stringify({ redirect_uris: ['https://flood.example.org/cb'] })
			});
		const statuses = await Promise.all(Array.from({ length: 6 }, register).map((p) => p.then((r) => r.status)));
		expect(statuses.filter((s) => s === 201)).toHaveLength(3);
		expect(statuses.filter((s) => s === 429)).toHaveLength(3);
		const deadline = Date.now() + 15_000;
		while (!/\[sso\] clean-up removed .*rateLimits 1\b/.test(server.readLog()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
		expect(server.readLog()).toMatch(/\[sso\] clean-up removed .*rateLimits 1\b/);
		expect((await register()).status).toBe(201);
	}, 30_000);
});
