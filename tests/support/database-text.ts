import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ProductionServer } from './production-server';

/**
 * Everything a server's database holds, as text: every row of every table (Postgres), or every
 * byte of the data directory with its WAL (PGlite). For tests that prove a secret is never
 * stored in the clear.
 */
export async function databaseText(server: ProductionServer): Promise<string> {
	if (server.database.driver === 'postgres') {
		const { default: connect } = await import('postgres');
		const sql = connect(server.database.url!, { max: 1, onnotice: () => {} });
		try {
			const tables = await sql<{ tablename: string }[]>`select tablename from pg_tables where schemaname = 'public'`;
			const rows = await Promise.all(tables.map(({ tablename }) => sql.unsafe(`select t::text as row from "${tablename}" t`)));
			return rows
				.flat()
				.map((r) => String(r.row))
				.join('\n');
		} finally {
			await sql.end();
		}
	}
	// Checkpoint-independent: the WAL holds every insert even before the table files do.
	const files = (dir: string): string[] =>
		readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : [join(dir, name)]));
	return files(join(dirname(server.log), 'pglite'))
		.map((file) => readFileSync(file).toString('latin1'))
		.join('\n');
}
