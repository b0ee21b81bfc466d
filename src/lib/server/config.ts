import { env } from '$env/dynamic/private';
import { dev } from '$app/environment';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DEMO_SITES } from '../demo-data';
import { resolveOriginURLs, type OriginName } from '../origins.js';
import { requireStrongSecret } from './secret-strength';
import { loadCleanup, loadLimits, type CleanupConfig, type LimitsConfig } from './config-limits';
import { loadAccountMailLimits, type AccountMailLimits } from './config-account-mail';
import { loadUpstreams, type UpstreamsConfig } from './config-upstreams';
import { loadRecentAuthSeconds } from './config-recent-auth';
import { loadMail, type MailConfig } from './mail/config';
import { loadFlowInspectorSetting } from './rp/flow-inspector-setting';
import { loadDeveloperPagesSetting } from './developer-pages-setting';

/** One demo relying-party site: its public URL and its client registration. */
export interface SiteConfig {
	name: OriginName;
	title: string;
	url: URL;
	clientId: string;
	clientSecret: string;
	/** How the site authenticates at the token endpoint; the two sites show both methods. */
	tokenEndpointAuthMethod: 'client_secret_basic' | 'client_secret_post';
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
	/** RFC 9700 §4.14.2: seconds a rotated refresh token is still answered with its one successor (0: never). */
	refreshTokenReuseGraceSeconds: number;
	/** RFC 7591 registration endpoint on/off (the guide's `allowDynamicClientRegistration`). */
	allowDynamicClientRegistration: boolean;
	/**
	 * Hosts (`name`, IP literal or `name:port`) the provider may send requests to even on a
	 * private or loopback address (OUTBOUND_ALLOWED_HOSTS, comma-separated): back-channel
	 * logout to a relying party inside the operator's own network.
	 */
	outboundAllowedHosts: string[];
	sites: Record<'site1' | 'site2', SiteConfig>;
	/** Signing-key timing (oidc/keys.ts): see keyTiming(). */
	keys: { publishBeforeUseSeconds: number; cacheSeconds: number };
	/**
	 * RESOURCE_SERVERS: a JSON array of APIs (RFC 8707 resource servers) declared at start, added
	 * to those declared with the CLI. Parsed and checked by oidc/resource-servers.ts at start
	 * (the demo sites, which read this file too, must not import the provider's modules).
	 */
	resourceServersJSON: string | undefined;
	/** Rate limits for sign-in, sign-up and registration (RATE_LIMIT_*). */
	limits: LimitsConfig;
	/** The periodic clean-up of expired data (CLEANUP_*). */
	cleanup: CleanupConfig;
	/** Outgoing mail: SMTP_URL, MAIL_FROM, DEV_MAILBOX (mail/config.ts). */
	mail: MailConfig;
	/** The example Python API the demo sites call from the browser (PYTHON_API_URL; examples/python-api/). */
	pythonAPIURL: string;
	/** Limits on password-reset and change-of-address mails (RATE_LIMIT_PASSWORD_RESET_PER_IP, RATE_LIMIT_MAIL_PER_RECIPIENT). */
	accountMail: AccountMailLimits;
	/** Sensitive account actions need a sign-in at most this many seconds old (REAUTHENTICATE_AFTER_SECONDS; auth/recent-auth.ts). */
	recentAuthSeconds: number;
	/** How long a correct password waits for its two-step verification code (TWO_FACTOR_PENDING_SECONDS; auth/second-factor.ts). */
	twoFactorPendingSeconds: number;
	/** Sign-in through GitHub, Google and other OpenID providers (GITHUB_*, GOOGLE_*, UPSTREAM_OIDC). */
	upstreams: UpstreamsConfig;
	/** FLOW_INSPECTOR: the demo sites record each flow for "What just happened" (rp/flow-inspector-setting.ts). */
	flowInspector: boolean;
	/** DEVELOPER_PAGES: /dev/keys and the "For developers" part of rejected requests (developer-pages-setting.ts). */
	developerPages: boolean;
}

/** Builds the configuration from environment variables (`config()` passes SvelteKit's `$env`). */
export function loadConfig(vars: Record<string, string | undefined>, mode: { dev: boolean } = { dev: false }): AppConfig {
	const origins = resolveOriginURLs(vars);
	const dataDir = resolve(vars.PGLITE_DIR || '.data/pglite');
	const databaseURL = vars.DATABASE_URL || undefined;
	return {
		issuer: origins.provider.origin,
		origins,
		database: { url: databaseURL, dataDir, maxConnections: Number(vars.DATABASE_POOL_SIZE || 10) },
		// adapter-node does not copy drizzle/ into build/: resolve it from the working directory.
		migrationsFolder: resolve(vars.MIGRATIONS_DIR || 'drizzle'),
		secret: vars.AUTH_SECRET ? requireStrongSecret(vars.AUTH_SECRET, 'AUTH_SECRET') : embeddedSecret(databaseURL, dataDir),
		refreshTokenReuseGraceSeconds: wholeSeconds(vars, 'REFRESH_TOKEN_REUSE_GRACE_SECONDS', { min: 0, max: 60 }),
		seedDemoData: (vars.SEED_DEMO_DATA ?? 'true') !== 'false',
		allowDynamicClientRegistration: (vars.ALLOW_DYNAMIC_CLIENT_REGISTRATION ?? 'true') !== 'false',
		outboundAllowedHosts: (vars.OUTBOUND_ALLOWED_HOSTS ?? '')
			.split(/[\s,]+/)
			.map((h) => h.toLowerCase())
			.filter(Boolean),
		keys: keyTiming(vars),
		limits: loadLimits(vars),
		cleanup: loadCleanup(vars),
		pythonAPIURL: (vars.PYTHON_API_URL || 'http://localhost:3003').replace(/\/$/, ''),
		accountMail: loadAccountMailLimits(vars),
		recentAuthSeconds: loadRecentAuthSeconds(vars),
		twoFactorPendingSeconds: wholeSeconds(vars, 'TWO_FACTOR_PENDING_SECONDS', { min: 1, max: 3600, fallback: 600 }),
		upstreams: loadUpstreams(vars),
		mail: loadMail(vars, origins.provider.hostname),
		sites: {
			site1: {
				name: 'site1',
				title: vars.SITE1_TITLE || DEMO_SITES.site1.title,
				url: origins.site1,
				clientId: vars.SITE1_CLIENT_ID || DEMO_SITES.site1.clientId,
				clientSecret: vars.SITE1_CLIENT_SECRET || DEMO_SITES.site1.clientSecret,
				// The guide's curl commands send client_secret in the body.
				tokenEndpointAuthMethod: 'client_secret_post'
			},
			site2: {
				name: 'site2',
				title: vars.SITE2_TITLE || DEMO_SITES.site2.title,
				url: origins.site2,
				clientId: vars.SITE2_CLIENT_ID || DEMO_SITES.site2.clientId,
				clientSecret: vars.SITE2_CLIENT_SECRET || DEMO_SITES.site2.clientSecret,
				tokenEndpointAuthMethod: 'client_secret_basic'
			}
		},
		resourceServersJSON: vars.RESOURCE_SERVERS || undefined,
		flowInspector: loadFlowInspectorSetting(vars, mode.dev),
		developerPages: loadDeveloperPagesSetting(vars, mode.dev)
	};
}

/**
 * KEY_PUBLISH_BEFORE_USE_SECONDS: how long a rotated key is published before it signs;
 * KEY_CACHE_SECONDS: how long an instance trusts its cached view of the key table. Every
 * instance must publish a new key before any instance signs with it, so the first must exceed
 * the second (by more than relying parties' JWKS refetch cooldown: jose's is 30 s).
 */
function keyTiming(vars: Record<string, string | undefined>): AppConfig['keys'] {
	const publishBeforeUseSeconds = wholeSeconds(vars, 'KEY_PUBLISH_BEFORE_USE_SECONDS', { min: 1, fallback: 15 * 60 });
	const cacheSeconds = wholeSeconds(vars, 'KEY_CACHE_SECONDS', { min: 1, fallback: 60 });
	if (publishBeforeUseSeconds <= cacheSeconds) {
		throw new Error(
			`KEY_PUBLISH_BEFORE_USE_SECONDS (${publishBeforeUseSeconds}) must be longer than KEY_CACHE_SECONDS (${cacheSeconds}), ` +
				`or an instance could sign with a key another instance does not publish yet`
		);
	}
	return { publishBeforeUseSeconds, cacheSeconds };
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
	if (existsSync(file)) return requireStrongSecret(readFileSync(file, 'utf8').trim(), `the secret in ${file}`);
	mkdirSync(dirname(file), { recursive: true });
	const secret = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
	writeFileSync(file, secret + '\n', { mode: 0o600 });
	return secret;
}

/**
 * A whole number of seconds from `min` to `max` (`fallback`, or `min`, when unset), or the
 * start fails with the variable's name.
 */
function wholeSeconds(
	vars: Record<string, string | undefined>,
	name: string,
	{ min, max = Number.MAX_SAFE_INTEGER, fallback = min }: { min: number; max?: number; fallback?: number }
): number {
	const raw = vars[name];
	if (raw === undefined || raw === '') return fallback;
	const value = Number(raw);
	if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
		throw new Error(
			`${name} must be a whole number of seconds${max === Number.MAX_SAFE_INTEGER ? ` of at least ${min}` : ` from ${min} to ${max}`}, not "${raw}"`
		);
	}
	return value;
}

let cached: AppConfig | undefined;

/** The validated configuration, read once from the environment. */
export function config(): AppConfig {
	cached ??= loadConfig(env, { dev });
	return cached;
}
