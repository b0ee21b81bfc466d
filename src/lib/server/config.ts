import { env } from '$env/dynamic/private';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { resolveOriginURLs, type OriginName } from '../origins.js';
import { loadCleanup, loadLimits, type CleanupConfig, type LimitsConfig } from './config-limits';

/** One demo relying-party site: its public URL and its client registration. */
export interface SiteConfig {
	name: OriginName;
	title: string;
	url: URL;
	clientId: string;
	clientSecret: string;
}

export interface AppConfig {
	/** Provider origin, also the OIDC issuer (no trailing slash). */
	issuer: string;
	origins: Record<OriginName, URL>;
	database: { url?: string; dataDir: string; maxConnections: number };
	migrationsFolder: string;
	/** Server secret: encrypts the private signing keys at rest. */
	secret: string;
	seedDemoData: boolean;
	/** RFC 7591 registration endpoint on/off (the guide's `allowDynamicClientRegistration`). */
	allowDynamicClientRegistration: boolean;
	sites: Record<'site1' | 'site2', SiteConfig>;
	/** Rate limits for sign-in, sign-up and registration (RATE_LIMIT_*). */
	limits: LimitsConfig;
	/** The periodic clean-up of expired data (CLEANUP_*). */
	cleanup: CleanupConfig;
}

/** Builds the configuration from environment variables (`config()` passes SvelteKit's `$env`). */
export function loadConfig(vars: Record<string, string | undefined>): AppConfig {
	const origins = resolveOriginURLs(vars);
	const dataDir = resolve(vars.PGLITE_DIR || '.data/pglite');
	const databaseURL = vars.DATABASE_URL || undefined;
	return {
		issuer: origins.provider.origin,
		origins,
		database: { url: databaseURL, dataDir, maxConnections: Number(vars.DATABASE_POOL_SIZE || 10) },
		// adapter-node does not copy drizzle/ into build/: resolve it from the working directory.
		migrationsFolder: resolve(vars.MIGRATIONS_DIR || 'drizzle'),
		secret: vars.AUTH_SECRET || embeddedSecret(databaseURL, dataDir),
		seedDemoData: (vars.SEED_DEMO_DATA ?? 'true') !== 'false',
		allowDynamicClientRegistration: (vars.ALLOW_DYNAMIC_CLIENT_REGISTRATION ?? 'true') !== 'false',
		limits: loadLimits(vars),
		cleanup: loadCleanup(vars),
		sites: {
			site1: {
				name: 'site1',
				title: vars.SITE1_TITLE || 'Internal Dashboard',
				url: origins.site1,
				clientId: vars.SITE1_CLIENT_ID || 'internal-dashboard',
				clientSecret: vars.SITE1_CLIENT_SECRET || 'secret-for-internal-dashboard'
			},
			site2: {
				name: 'site2',
				title: vars.SITE2_TITLE || 'Team Wiki',
				url: origins.site2,
				clientId: vars.SITE2_CLIENT_ID || 'team-wiki',
				clientSecret: vars.SITE2_CLIENT_SECRET || 'secret-for-team-wiki'
			}
		}
	};
}

/**
 * With the embedded database there is exactly one node, so a secret generated once and
 * kept beside the data is as good as a configured one. Instances sharing a Postgres must
 * share the secret, so there it has to be configured.
 */
function embeddedSecret(databaseURL: string | undefined, dataDir: string): string {
	if (databaseURL) throw new Error('AUTH_SECRET is not set (required with DATABASE_URL; e.g. `openssl rand -base64 32`)');
	// Beside the data directory and named after it, so two data directories never share one.
	const file = `${dataDir}.auth-secret`;
	if (existsSync(file)) return readFileSync(file, 'utf8').trim();
	mkdirSync(dirname(file), { recursive: true });
	const secret = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
	writeFileSync(file, secret + '\n', { mode: 0o600 });
	return secret;
}

let cached: AppConfig | undefined;

/** The validated configuration, read once from the environment. */
export function config(): AppConfig {
	cached ??= loadConfig(env);
	return cached;
}
