// Vitest globalSetup (per project): starts the PRODUCTION build (`node build`: provider and both
// demo sites) on the project's own ports with a fresh database, provides the base URLs to the
// integration tests, and stops it afterwards. Never the dev server: Kit's CSRF check and
// adapter-node only behave for real in a build (ARCHITECTURE.md "Known traps").
import type { TestProject } from 'vitest/node';
import { sharedServerPortOffset, startProductionServer } from './production-server';

declare module 'vitest' {
	export interface ProvidedContext {
		providerURL: string;
		site1URL: string;
		site2URL: string;
		serverDriver: 'pglite' | 'postgres';
		serverLog: string;
		/** Where the server's mail arrives (tests/support/mail-sink.ts readMail). */
		mailDir: string;
	}
}

/** Ports reserved for this suite: 4100-4102 (PGlite project), 4200-4202 (Postgres project). */
const PORTS = { pglite: 4100, postgres: 4200 } as const;

export default async function setup(project: TestProject) {
	const driver = project.name.startsWith('postgres') ? 'postgres' : 'pglite';
	// TEST_PORT_OFFSET moves the suite when another copy of it runs on the same machine.
	const port = PORTS[driver] + sharedServerPortOffset();
	// Every test file signs up, registers and signs in from this one address, in parallel:
	// the per-address limits are raised (an operator setting); the per-account ones keep their
	// defaults. tests/security starts servers of its own with tight limits.
	const limits = {
		RATE_LIMIT_SIGN_IN_PER_IP: '100000/15m',
		RATE_LIMIT_SIGN_UP_PER_IP: '100000/1h',
		RATE_LIMIT_REGISTRATION_PER_IP: '100000/1h',
		RATE_LIMIT_PASSWORD_RESET_PER_IP: '100000/1h',
		RATE_LIMIT_PASSKEY_OPTIONS_PER_IP: '100000/15m'
	};
	const server = await startProductionServer({ port, database: driver, env: limits });
	try {
		const discovery = await fetch(`${server.urls.provider}/.well-known/openid-configuration`);
		const issuer = ((await discovery.json()) as { issuer?: string }).issuer;
		if (issuer !== server.urls.provider) throw new Error(`the server on ${server.urls.provider} reports issuer ${issuer}: is another server using the port?`);
	} catch (error) {
		const log = server.readLog().slice(-4000);
		await server.stop();
		throw new Error(`[${driver}] ${(error as Error).message}\n${log}`, { cause: error });
	}

	project.provide('providerURL', server.urls.provider);
	project.provide('site1URL', server.urls.site1);
	project.provide('site2URL', server.urls.site2);
	project.provide('serverDriver', driver);
	project.provide('serverLog', server.log);
	project.provide('mailDir', server.mail!.dir);
	return server.stop;
}
