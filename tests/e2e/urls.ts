// The origins the end-to-end server listens on. playwright.config.ts passes the same values
// to the server, so specs never hard-code a host: the suite runs once with the demo sites on
// localhost and once on 127.0.0.1 (E2E_SITE_HOST), a different *site* from the provider's.

/** Host name the demo sites are served on (`localhost` unless E2E_SITE_HOST is set). */
export const SITE_HOST = process.env.E2E_SITE_HOST || 'localhost';

export const PROVIDER_URL = 'http://localhost:4000';
export const SITE1_URL = `http://${SITE_HOST}:4001`;
export const SITE2_URL = `http://${SITE_HOST}:4002`;

/** The seeded demo account (see the contract, "Seeded demo data"). */
export const DEMO_USER = { email: 'demo@example.com', password: 'DemoPass123!', name: 'Demo User' } as const;
