// The demo data's published values: the two demo sites' default client registrations and the
// seeded demo account. A module without imports, because the server (config.ts defaults,
// seed.ts) and the tests read it, the Playwright specs included, which load no server module
// and no $lib alias. The sites' ports are in origins.js. These values come from the guide
// (docs/the-guide.md) and are fine on localhost only: SEED_DEMO_DATA=false anywhere real.

/** The default client registrations of the demo sites (SITE1_* and SITE2_* override them). */
export const DEMO_SITES = {
	site1: { title: 'Internal Dashboard', clientId: 'internal-dashboard', clientSecret: 'secret-for-internal-dashboard' },
	site2: { title: 'Team Wiki', clientId: 'team-wiki', clientSecret: 'secret-for-team-wiki' }
} as const;

/** The account the seed creates, with its address already confirmed. */
export const DEMO_USER = { name: 'Demo User', email: 'demo@example.com', password: 'DemoPass123!' } as const;
