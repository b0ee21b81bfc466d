import { sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Database } from '../index';
import { preparedQuery } from '../prepared';
import { grants } from '../schema';

/** A grant as the authorization endpoint creates it: every column but `revokedAt`. */
export type NewGrant = Required<Omit<typeof grants.$inferInsert, 'revokedAt'>>;

const insertGrantStatement = preparedQuery((db) =>
	db
		.insert(grants)
		.values({
			id: sql.placeholder('id'),
			clientId: sql.placeholder('clientId'),
			userId: sql.placeholder('userId'),
			sessionId: sql.placeholder('sessionId'),
			scope: sql.placeholder('scope'),
			authTime: sql.placeholder('authTime'),
			amr: sql.placeholder('amr'),
			acr: sql.placeholder('acr'),
			createdAt: sql.placeholder('createdAt')
		})
		.prepare('insert_grant')
);

export async function insertGrant(db: Database, grant: NewGrant): Promise<void> {
	await insertGrantStatement(db).execute(grant);
}

/**
 * Whether a scope column (space-separated words, RFC 6749 §3.3) holds the word `scope`:
 * compares whole words, so `offline_access_x` is not `offline_access`. `string_to_array` is
 * core SQL on every Postgres this runs on (PGlite, Postgres 15), no extension needed.
 */
export function scopeIncludes(column: AnyPgColumn, scope: string): SQL {
	return sql`${scope} = any(string_to_array(${column}, ' '))`;
}
