import { boolean, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { users } from './users';

/** Registered OAuth 2.0 / OIDC clients (relying parties), in RFC 7591 metadata terms. */
export const clients = pgTable('oauth_client', {
	id: text('id').primaryKey(),
	/** SHA-256 (hex) of the client secret; null for public clients. */
	secretHash: text('secret_hash'),
	name: text('name').notNull(),
	redirectURIs: jsonb('redirect_uris').$type<string[]>().notNull(),
	postLogoutRedirectURIs: jsonb('post_logout_redirect_uris').$type<string[]>().notNull().default([]),
	/** `client_secret_basic`, `client_secret_post` or `none` (RFC 7591 §2). */
	tokenEndpointAuthMethod: text('token_endpoint_auth_method').notNull(),
	grantTypes: jsonb('grant_types').$type<string[]>().notNull().default(['authorization_code', 'refresh_token']),
	idTokenSignedResponseAlg: text('id_token_signed_response_alg').$type<'RS256' | 'ES256' | 'EdDSA'>().notNull().default('RS256'),
	backchannelLogoutURI: text('backchannel_logout_uri'),
	logoURI: text('logo_uri'),
	clientURI: text('client_uri'),
	policyURI: text('policy_uri'),
	tosURI: text('tos_uri'),
	/** First-party clients skip the consent page (the guide's `skipConsent`). Never set by registration. */
	trusted: boolean('trusted').notNull().default(false),
	createdAt: timestamp('created_at', { withTimezone: true }).notNull()
});

/** Scopes a user has allowed a client, so consent is asked again only for new ones. */
export const consents = pgTable(
	'oauth_consent',
	{
		userId: text('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		clientId: text('client_id')
			.notNull()
			.references(() => clients.id, { onDelete: 'cascade' }),
		scope: text('scope').notNull(),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull()
	},
	(t) => [primaryKey({ columns: [t.userId, t.clientId] })]
);
