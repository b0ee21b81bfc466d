import { sveltekit } from '@sveltejs/kit/vite';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { defineConfig, loadEnv, type Plugin } from 'vite';
import { resolveListeners } from './src/lib/origins.js';

/**
 * `vite dev` listens on the provider's port; this adds the demo sites' ports to the same
 * dev server, so one process (and one embedded database) serves all three origins, as the
 * production launcher scripts/serve.js does.
 */
function demoSiteListeners(env: Record<string, string>): Plugin {
	return {
		name: 'demo-site-listeners',
		apply: 'serve',
		configureServer(server) {
			if (process.env.VITEST) return;
			const sites = resolveListeners(env).filter((l) => l.name !== 'provider');
			const servers = sites.map(({ url, port }) => {
				const http = createServer((req, res) => {
					req.headers.host = url.host;
					server.middlewares(req, res);
				});
				// Hot reload on the sites' pages goes to Vite's websocket on the provider port.
				http.on('upgrade', (req, socket, head) => server.httpServer?.emit('upgrade', req, socket, head));
				http.on('error', (error) => server.config.logger.error(`[sso] demo site port ${port} (${url.origin}): ${error.message}`));
				http.listen(port);
				return http;
			});
			const pythonAPI = startPythonAPI(env, (line) => server.config.logger.info(line));
			server.httpServer?.on('close', () => {
				servers.forEach((s) => s.close());
				pythonAPI?.kill();
			});
			// SvelteKit runs the init hook (migrations, seed, the sign-in hint) on the first
			// request in dev; make one, so the console says how to sign in right away.
			const provider = resolveListeners({ ...env, SERVE: 'provider' })[0];
			server.httpServer?.once('listening', () => {
				if (provider) fetch(`http://127.0.0.1:${provider.port}/.well-known/openid-configuration`).catch(() => {});
			});
		}
	};
}

const PYTHON = '/usr/bin/python3';

/**
 * The example Python API (examples/python-api/), which the demo sites call from the browser,
 * when Debian's python3 with PyJWT (python3-jwt) is there; otherwise one line says how to get it.
 */
function startPythonAPI(env: Record<string, string>, log: (line: string) => void) {
	const check = spawnSync(PYTHON, ['-c', 'import jwt'], { stdio: 'ignore' });
	if (check.error || check.status !== 0) {
		log(`[sso] Python API not started: it needs ${PYTHON} with PyJWT (apt-get install -y python3-jwt); see the README, "Python API"`);
		return undefined;
	}
	const url = new URL(env.PYTHON_API_URL || 'http://localhost:3003');
	const origins = resolveListeners({ ...env, SERVE: 'site1,site2' }).map((l) => l.url.origin);
	const child = spawn(PYTHON, ['examples/python-api/app.py'], {
		env: {
			...process.env,
			PYTHON_API_PORT: url.port || '80',
			PYTHON_API_ORIGINS: origins.join(','),
			PROVIDER_URL: env.PROVIDER_URL || 'http://localhost:3000'
		},
		stdio: ['ignore', 'inherit', 'inherit']
	});
	child.on('error', (error) => log(`[sso] Python API: ${error.message}`));
	// Not left running when the dev server is stopped (Ctrl-C, or a signal from a supervisor).
	process.once('exit', () => child.kill());
	return child;
}

export default defineConfig(({ mode }) => {
	const env = { ...loadEnv(mode, process.cwd(), ''), ...process.env } as Record<string, string>;
	const provider = resolveListeners({ ...env, SERVE: 'provider' })[0];
	return {
		plugins: [sveltekit(), demoSiteListeners(env)],
		server: { port: provider?.port ?? 3000, strictPort: true },
		preview: { port: provider?.port ?? 3000, strictPort: true },
		// PGlite ships WebAssembly and data files that Vite's pre-bundler would break.
		optimizeDeps: { exclude: ['@electric-sql/pglite'] },
		ssr: { external: ['@electric-sql/pglite', '@node-rs/argon2', 'postgres'] },
		test: {
			// One PGlite per test file; the Postgres project only exists when a server is given.
			fileParallelism: true,
			testTimeout: 20_000,
			hookTimeout: 60_000,
			projects: [
				// Unit and database tests: no server, so a protocol test file runs on its own in milliseconds.
				{ extends: true, test: { name: 'pglite', include: ['src/**/*.test.ts'], env: { TEST_DB: 'pglite' } } },
				{
					extends: true,
					test: {
						name: 'pglite-http',
						include: ['tests/integration/**/*.test.ts', 'tests/security/**/*.test.ts'],
						env: { TEST_DB: 'pglite' },
						// The production build on ports 4100-4102 with a fresh PGlite, for tests/integration.
						globalSetup: ['tests/support/server.global-setup.ts']
					}
				},
				...(process.env.TEST_DATABASE_URL
					? [
							{
								extends: true,
								test: {
									name: 'postgres',
									// tests/faults and tests/examples start servers of their own.
									include: ['src/**/*.db.test.ts', 'tests/faults/**/*.test.ts', 'tests/examples/**/*.test.ts'],
									env: { TEST_DB: 'postgres' }
								}
							},
							{
								extends: true,
								test: {
									name: 'postgres-http',
									include: ['tests/integration/**/*.test.ts', 'tests/security/**/*.test.ts'],
									env: { TEST_DB: 'postgres' },
									// The production build on ports 4200-4202 with a fresh Postgres database.
									globalSetup: ['tests/support/server.global-setup.ts']
								}
							}
						]
					: [])
			]
		}
	};
});
