import { boolean, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** Registered OAuth 2.0 / OIDC clients (relying parties). */
export const clients = pgTable('oauth_client', {
	id: text('id').primaryKey(),
	/** SHA-256 (hex) of the client secret; null for public clients. */
	secretHash: text('secret_hash'),
	name: text('name').notNull(),
	redirectURIs: jsonb('redirect_uris').$type<string[]>().notNull(),
	/** `client_secret_basic`, `client_secret_post` or `none` (RFC 7591 §2). */
	tokenEndpointAuthMethod: text('token_endpoint_auth_method').notNull(),
	/** First-party clients skip the consent page (the guide's `skipConsent`). */
	trusted: boolean('trusted').notNull().default(false),
	createdAt: timestamp('created_at', { withTimezone: true }).notNull()
});
