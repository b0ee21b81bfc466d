// A production server of one test file's own (another setting, another issuer), for the files
// that cannot use the shared server of server.global-setup.ts: started once in beforeAll,
// stopped in afterAll, on the test project's database driver.
import { afterAll, beforeAll } from 'vitest';
import { startProductionServer, testPortOffset, type ProductionServer, type ProductionServerOptions } from './production-server';

/** The database the project tests against: `postgres` in the postgres projects, else `pglite`. */
export function testDriver(): 'pglite' | 'postgres' {
	return process.env.TEST_DB === 'postgres' ? 'postgres' : 'pglite';
}

/**
 * Registers beforeAll/afterAll for a server of the file's own and returns it; read its fields
 * inside tests or hooks. `port` is the file's slot (4300-4699); the project's offset is added
 * here (testPortOffset), and `database` defaults to the project's driver.
 */
export function useProductionServer(options: ProductionServerOptions, startTimeout = 120_000): ProductionServer {
	let started: ProductionServer | undefined;
	beforeAll(async () => {
		started = await startProductionServer({ database: testDriver(), ...options, port: options.port + testPortOffset() });
	}, startTimeout);
	afterAll(async () => {
		await started?.stop();
	});
	const current = () => {
		if (!started) throw new Error('the server is not started yet (use it inside a test or hook)');
		return started;
	};
	return {
		get urls() {
			return current().urls;
		},
		get database() {
			return current().database;
		},
		get mail() {
			return current().mail;
		},
		get child() {
			return current().child;
		},
		get log() {
			return current().log;
		},
		readLog: () => current().readLog(),
		stop: () => current().stop()
	};
}
