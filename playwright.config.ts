import { defineConfig, devices } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROVIDER_URL, PYTHON_API_URL, SITE1_URL, SITE2_URL, SITE_HOST } from './tests/e2e/urls';

// The config is evaluated by the runner and again by every worker; workers inherit the
// runner's environment, so the fresh data directory is created once, by the runner, and
// removed when the runner exits (after the web server has been stopped).
const RUN_DIR_VAR = 'E2E_INTERNAL_RUN_DIR';
if (!process.env[RUN_DIR_VAR]) {
	const dir = mkdtempSync(join(tmpdir(), 'sso-e2e-'));
	process.env[RUN_DIR_VAR] = dir;
	process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
}
const runDir = process.env[RUN_DIR_VAR]!;
// Where the server's mail arrives (tests/e2e/start-server.js); specs read it (tests/e2e/mail.ts).
process.env.E2E_MAIL_DIR = join(runDir, 'mail');

// Optional: run the server against Postgres instead of a fresh embedded database.
const databaseURL = process.env.E2E_DATABASE_URL;
if (databaseURL) process.env.E2E_INTERNAL_AUTH_SECRET ??= process.env.AUTH_SECRET || randomBytes(32).toString('base64url');

const CHROMIUM = '/usr/bin/chromium';

export default defineConfig({
	testDir: 'tests/e2e',
	testMatch: '**/*.e2e.ts',
	workers: 1,
	fullyParallel: false,
	retries: 0,
	forbidOnly: !!process.env.CI,
	timeout: 30_000,
	expect: { timeout: 10_000 },
	reporter: [['list'], ['json', { outputFile: process.env.E2E_REPORT || 'test-results/e2e.json' }]],
	// Playwright empties its outputDir at start: keep artifacts apart from the JSON reports
	// (and per site host, so the second run keeps the first run's traces).
	outputDir: `test-results/e2e-artifacts-${SITE_HOST}`,
	use: {
		trace: 'retain-on-failure',
		screenshot: 'only-on-failure',
		launchOptions: {
			// Debian's Chromium; never `playwright install` here.
			...(existsSync(CHROMIUM) ? { executablePath: CHROMIUM } : {}),
			args: [
				'--no-sandbox',
				'--disable-gpu',
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-quic',
				'--no-first-run',
				'--disable-sync'
			]
		}
	},
	projects: [
		{ name: 'chromium', use: { ...devices['Desktop Chrome'] } },
		{ name: 'no-js', grep: /@forms/, use: { ...devices['Desktop Chrome'], javaScriptEnabled: false } }
	],
	webServer: {
		// The production build (the runner builds first): Kit's CSRF check and adapter-node
		// only behave as deployed there. The launcher puts a real SMTP listener in front of it.
		command: 'node tests/e2e/start-server.js',
		url: `${PROVIDER_URL}/.well-known/openid-configuration`,
		reuseExistingServer: false,
		timeout: 60_000,
		stdout: 'pipe',
		gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
		env: {
			PROVIDER_URL,
			SITE1_URL,
			SITE2_URL,
			PGLITE_DIR: join(runDir, 'pglite'),
			E2E_MAIL_DIR: process.env.E2E_MAIL_DIR,
			// The example Python API (started by session-jwt.e2e.ts) on the port after site 2.
			PYTHON_API_URL,
			SEED_DEMO_DATA: 'true',
			// The demo sites' "What just happened" page (flow-inspector.e2e.ts): off in production unless set.
			FLOW_INSPECTOR: 'true',
			// The provider's developer pages (dev-pages.e2e.ts): off in production unless set.
			DEVELOPER_PAGES: 'true',
			// Every browser here is 127.0.0.1: the specs' deliberate wrong passwords (held-back
			// accounts, the security log's failed line, ...) must not add up to the per-address
			// limit and hold back the demo user. The per-account limits still apply as deployed.
			RATE_LIMIT_SIGN_IN_PER_IP: '300/15m',
			// Every view of the sign-in page asks for a passkey challenge (the autofill), from this one address.
			RATE_LIMIT_PASSKEY_OPTIONS_PER_IP: '100000/15m',
			// Nothing from the calling shell may move the listeners or pick another database.
			PORT: '',
			SITE1_PORT: '',
			SITE2_PORT: '',
			SERVE: '',
			// start-server.js points GitHub and Google at its local stand-ins; no other upstream.
			UPSTREAM_OIDC: '',
			DATABASE_URL: databaseURL ?? '',
			AUTH_SECRET: databaseURL ? process.env.E2E_INTERNAL_AUTH_SECRET! : ''
		}
	}
});
