// The origins the end-to-end server listens on. playwright.config.ts passes the same values
// to the server, so specs never hard-code a host: the suite runs once with the demo sites on
// localhost and once on 127.0.0.1 (E2E_SITE_HOST), a different *site* from the provider's.

/** Host name the demo sites are served on (`localhost` unless E2E_SITE_HOST is set). */
export const SITE_HOST = process.env.E2E_SITE_HOST || 'localhost';

/**
 * First of the three consecutive ports (provider, site1, site2); E2E_PORT_BASE moves them so
 * two runs (e.g. two worktrees) can share a machine. Default 4000, clear of the dev ports
 * (3000-3003) and of the vitest servers (4100-4102, 4200-4202).
 */
export const PORT_BASE = portBase(process.env.E2E_PORT_BASE);

function portBase(value: string | undefined): number {
	if (!value) return 4000;
	const port = Number(value);
	if (!Number.isInteger(port) || port < 1024 || port > 65_533) throw new Error(`E2E_PORT_BASE must be a port number from 1024 to 65533, not "${value}"`);
	return port;
}

export const PROVIDER_URL = `http://localhost:${PORT_BASE}`;
export const SITE1_URL = `http://${SITE_HOST}:${PORT_BASE + 1}`;
export const SITE2_URL = `http://${SITE_HOST}:${PORT_BASE + 2}`;
/** The example Python API (examples/python-api/), which the demo sites call from the browser. */
export const PYTHON_API_PORT = PORT_BASE + 3;
export const PYTHON_API_URL = `http://localhost:${PYTHON_API_PORT}`;

// The seeded demo account and the demo sites' clients, from the one module of those values that
// has no imports (Playwright specs load no server module and no $lib alias).
export { DEMO_SITES, DEMO_USER } from '../../src/lib/demo-data';
