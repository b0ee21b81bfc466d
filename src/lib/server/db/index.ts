import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema';

/** The one database type the app uses, whichever driver is underneath. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface DatabaseHandle {
	db: Database;
	driver: 'pglite' | 'postgres';
	close(): Promise<void>;
}

export interface DatabaseOptions {
	/** postgres:// URL; when absent the embedded PGlite is used. */
	url?: string;
	/** PGlite data directory; undefined keeps the database in memory. */
	dataDir?: string;
	/** Pool size for postgres.js. */
	maxConnections?: number;
}

// Any constant shared by every instance; it names the lock, nothing more.
const MIGRATION_LOCK = 727_001;

/** Opens the database and applies the SQL migrations in `migrationsFolder` (drizzle/). */
export async function openDatabase(options: DatabaseOptions, migrationsFolder: string): Promise<DatabaseHandle> {
	return options.url ? openPostgres(options.url, migrationsFolder, options.maxConnections) : openPGlite(migrationsFolder, options.dataDir);
}

async function openPostgres(url: string, migrationsFolder: string, max = 10): Promise<DatabaseHandle> {
	const { default: postgres } = await import('postgres');
	const { drizzle } = await import('drizzle-orm/postgres-js');
	const { migrate } = await import('drizzle-orm/postgres-js/migrator');
	// connect_timeout: while the database is unreachable a request fails within seconds with
	// 503 (outage.ts) instead of hanging for postgres.js's default 30 s.
	const client = postgres(url, { max, connect_timeout: 5, onnotice: () => {} });
	const db = drizzle(client, { schema });
	// Several instances may start at once: the migrator runs under a session advisory lock.
	const lock = await client.reserve();
	try {
		await lock`select pg_advisory_lock(${MIGRATION_LOCK})`;
		await migrate(db, { migrationsFolder });
	} finally {
		await lock`select pg_advisory_unlock(${MIGRATION_LOCK})`;
		lock.release();
	}
	return { db, driver: 'postgres', close: () => client.end() };
}

async function openPGlite(migrationsFolder: string, dataDir?: string): Promise<DatabaseHandle> {
	// Loaded only when needed: deployments on Postgres never load the WebAssembly build.
	const { PGlite } = await import('@electric-sql/pglite');
	const { drizzle } = await import('drizzle-orm/pglite');
	const { migrate } = await import('drizzle-orm/pglite/migrator');
	if (dataDir) (await import('node:fs')).mkdirSync(dataDir, { recursive: true });
	const client = new PGlite(dataDir);
	const db = drizzle(client, { schema });
	await migrate(db, { migrationsFolder });
	return { db, driver: 'pglite', close: () => client.close() };
}
