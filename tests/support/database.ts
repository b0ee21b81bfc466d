import { afterAll, beforeAll } from 'vitest';
import { openDatabase, type Database, type DatabaseHandle } from '../../src/lib/server/db/index';

/** The drizzle/ migrations, resolved from the working directory like the app does. */
export const MIGRATIONS_FOLDER = 'drizzle';

export interface TestDatabase {
	db: Database;
	driver: DatabaseHandle['driver'];
	close(): Promise<void>;
}

/** A Postgres server URL for admin statements (CREATE/DROP DATABASE), from TEST_DATABASE_URL. */
export function testServerURL(): string {
	const url = process.env.TEST_DATABASE_URL;
	if (!url) throw new Error('TEST_DATABASE_URL is not set (TEST_DB=postgres needs a server, e.g. postgres://postgres@127.0.0.1:5432/test)');
	return url;
}

/** A database name nobody else uses: prefix, time and randomness (lower case, no quoting needed). */
export function uniqueDatabaseName(prefix = 'sso_test'): string {
	const random = Array.from(crypto.getRandomValues(new Uint8Array(6)), (b) => b.toString(16).padStart(2, '0')).join('');
	return `${prefix}_${Date.now().toString(36)}_${random}`;
}

/** Creates an empty database on the server and returns its URL. */
export async function createPostgresDatabase(serverURL: string, name: string): Promise<string> {
	const { default: postgres } = await import('postgres');
	const admin = postgres(serverURL, { max: 1, onnotice: () => {} });
	try {
		await admin.unsafe(`create database "${name}"`);
	} finally {
		await admin.end();
	}
	const url = new URL(serverURL);
	url.pathname = `/${name}`;
	return url.href;
}

/** Ends every connection to the database, then drops it. */
export async function dropPostgresDatabase(serverURL: string, name: string): Promise<void> {
	const { default: postgres } = await import('postgres');
	const admin = postgres(serverURL, { max: 1, onnotice: () => {} });
	try {
		await admin`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${name} and pid <> pg_backend_pid()`;
		await admin.unsafe(`drop database if exists "${name}"`);
	} finally {
		await admin.end();
	}
}

/**
 * A migrated, empty database for one test file: a fresh Postgres database when
 * TEST_DB=postgres (from TEST_DATABASE_URL, dropped again by close()), otherwise an in-memory
 * PGlite.
 */
export async function openTestDatabase(): Promise<TestDatabase> {
	if (process.env.TEST_DB === 'postgres') {
		const serverURL = testServerURL();
		const name = uniqueDatabaseName();
		const url = await createPostgresDatabase(serverURL, name);
		let handle: DatabaseHandle;
		try {
			handle = await openDatabase({ url, maxConnections: 5 }, MIGRATIONS_FOLDER);
		} catch (error) {
			await dropPostgresDatabase(serverURL, name);
			throw error;
		}
		return {
			db: handle.db,
			driver: handle.driver,
			close: async () => {
				await handle.close();
				await dropPostgresDatabase(serverURL, name);
			}
		};
	}
	const handle = await openDatabase({}, MIGRATIONS_FOLDER);
	return { db: handle.db, driver: handle.driver, close: () => handle.close() };
}

/**
 * One database per test FILE: opened in beforeAll, closed in afterAll. Read `.db` inside
 * tests (or hooks), not at module load.
 */
export function useTestDatabase(): { readonly db: Database; readonly driver: DatabaseHandle['driver'] } {
	let opened: TestDatabase | undefined;
	beforeAll(async () => {
		opened = await openTestDatabase();
	});
	afterAll(async () => {
		await opened?.close();
	});
	return {
		get db() {
			if (!opened) throw new Error('the test database is not open yet (use it inside a test or hook)');
			return opened.db;
		},
		get driver() {
			if (!opened) throw new Error('the test database is not open yet (use it inside a test or hook)');
			return opened.driver;
		}
	};
}
