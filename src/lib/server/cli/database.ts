import { loadConfig, type AppConfig } from '../config';
import { openDatabase, type DatabaseHandle } from '../db';

/** The same database the server uses (DATABASE_URL, else the embedded PGlite directory). */
export async function openConfiguredDatabase(env: Record<string, string | undefined>): Promise<{ handle: DatabaseHandle; config: AppConfig }> {
	const config = loadConfig(env);
	const handle = await openDatabase({ url: config.database.url, dataDir: config.database.dataDir, maxConnections: 2 }, config.migrationsFolder);
	return { handle, config };
}
