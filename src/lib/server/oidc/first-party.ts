import { eq } from 'drizzle-orm';
import type { Database } from '../db';
import { clients } from '../db/schema';

/**
 * Origins of trusted (first-party) clients, from their redirect URIs: the only origins whose
 * scripts may read a session JWT cross-origin (CORS with credentials).
 */
export async function firstPartyOrigins(db: Database): Promise<Set<string>> {
	const rows = await db.select({ redirectURIs: clients.redirectURIs }).from(clients).where(eq(clients.trusted, true));
	return new Set(rows.flatMap((r) => r.redirectURIs.map((uri) => new URL(uri).origin)));
}
