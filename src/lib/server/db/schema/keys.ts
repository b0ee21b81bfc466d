import { sql } from 'drizzle-orm';
import { jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import type { JWK } from 'jose';

/**
 * The JWS algorithms the provider signs with (oidc/keys.ts). Declared with the column, so the
 * demo sites' code, which shares the schema, never reaches into oidc/ for a type.
 */
export type SigningAlgorithm = 'RS256' | 'ES256' | 'EdDSA';

/**
 * Signing keys (the guide's `jwks` table). Empty on a fresh database: the first JWKS request
 * or signature creates the key. The partial unique index is what makes that race-free: of
 * many concurrent first requests, on any number of instances, exactly one insert wins.
 */
export const signingKeys = pgTable(
	'jwks',
	{
		id: text('id').primaryKey(),
		alg: text('alg').$type<SigningAlgorithm>().notNull(),
		publicKey: jsonb('public_key').$type<JWK>().notNull(),
		/** The private JWK as a compact JWE (dir + A256GCM) under a key derived from AUTH_SECRET. */
		privateKey: text('private_key').notNull(),
		/**
		 * `next` is published before it signs; `active` signs; `retired` only verifies until what
		 * it signed has expired; `revoked` (compromised, `npm run keys -- revoke`) does nothing.
		 */
		status: text('status').notNull(),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
		/** When it stopped signing: retired, or revoked. */
		retiredAt: timestamp('retired_at', { withTimezone: true })
	},
	(t) => [
		uniqueIndex('jwks_one_active_key_per_alg')
			.on(t.alg)
			.where(sql`status = 'active'`),
		uniqueIndex('jwks_one_next_key_per_alg')
			.on(t.alg)
			.where(sql`status = 'next'`)
	]
);
