import { config } from '../config';
import { openDatabase, type DatabaseHandle } from './index';

// Cached on globalThis: Vite's hot reload re-imports modules, and PGlite must not open its
// data directory twice in one process. The production launcher (scripts/serve.js) closes it
// from there at shutdown, after the last request was answered.
const store = globalThis as typeof globalThis & { __ssoDatabase?: Promise<DatabaseHandle> };

/** The process-wide database, opened (and migrated) on first use. */
export function database(): Promise<DatabaseHandle> {
	store.__ssoDatabase ??= (() => {
		const { database: options, migrationsFolder } = config();
		return openDatabase({ url: options.url, dataDir: options.dataDir, maxConnections: options.maxConnections }, migrationsFolder);
	})();
	return store.__ssoDatabase;
}
