// Issue #6, finding 11: the server started with AUTH_SECRET=x, and the private signing keys
// (stored encrypted under a key derived from it) were recovered offline from a database copy
// with a small dictionary. The production build now refuses, at start, a secret with less
// than 32 bytes of randomness, and says how to make one.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { startProductionServer, testPortOffset } from '../support/production-server';

const HOW_TO = /AUTH_SECRET is too weak: .*32 bytes of randomness\. Make one with `openssl rand -base64 32`/;

/** The production build's start-up failure (its log), or null if it started. */
async function startFailure(port: number, env: Record<string, string | undefined>, database?: { url: string; authSecret: string }): Promise<string | null> {
	try {
		const server = await startProductionServer({ port, env, database });
		await server.stop();
		return null;
	} catch (error) {
		return (error as Error).message;
	}
}

// One project is enough: the check runs before any database is opened. The servers start one
// after another on one set of ports.
const PORT = 4373 + testPortOffset();

describe.runIf(process.env.TEST_DB !== 'postgres')('the production build refuses a guessable AUTH_SECRET at start', () => {
	it.each([
		'x',
		'changeme',
		// Long, and made of words: guessable all the same.
		'ThisIsMySuperSecretPasswordForTheSsoProvider'
	])(
		'AUTH_SECRET=%j with DATABASE_URL → the server does not start, and says how to make a good one',
		async (secret) => {
			// The check comes before any connection: the database need not even exist.
			const failure = await startFailure(PORT, {}, { url: 'postgres://postgres@127.0.0.1:1/never-reached', authSecret: secret });
			expect(failure).toMatch(HOW_TO);
		},
		120_000
	);

	it('AUTH_SECRET=x with the embedded database → refused too', async () => {
		expect(await startFailure(PORT, { AUTH_SECRET: 'x' })).toMatch(HOW_TO);
	}, 120_000);

	it('32 random bytes (openssl rand -base64 32) → the server starts', async () => {
		expect(await startFailure(PORT, { AUTH_SECRET: randomBytes(32).toString('base64') })).toBeNull();
	}, 120_000);
});
