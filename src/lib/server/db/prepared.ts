import type { Database } from './index';

/**
 * A query built once per database and reused. Building SQL is most of drizzle's cost, and a
 * prepared statement also spares Postgres the parse and plan: for the queries on the sign-in
 * hot path this cuts CPU per query several-fold (see `npm run bench`). Used by the query layer
 * (db/queries/*.ts) only: protocol modules call its named functions and never see a statement.
 */
export function preparedQuery<T>(build: (db: Database) => T): (db: Database) => T {
	const byDatabase = new WeakMap<Database, T>();
	return (db) => {
		let query = byDatabase.get(db);
		if (!query) {
			query = build(db);
			byDatabase.set(db, query);
		}
		return query;
	};
}
