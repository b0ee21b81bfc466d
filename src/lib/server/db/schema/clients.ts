import { boolean, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import type { SigningAlgorithm } from './keys';
import { users } from './users';

/** RFC 7591 §2 `token_endpoint_auth_method` values this provider supports (oidc/clients.ts). */
export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

/** Registered OAuth 2.0 / OIDC clients (relying parties), in RFC 7591 metadata terms. */
export const clients = pgTable('oauth_client', {
	id: text('id').primaryKey(),
	/** SHA-256 (hex) of the client secret; null for public clients. */
	secretHash: text('secret_hash'),
	name: text('name').notNull(),
	redirectURIs: jsonb('redirect_uris').$type<string[]>().notNull(),
	postLogoutRedirectURIs: jsonb('post_logout_redirect_uris').$type<string[]>().notNull().default([]),
	/** `client_secret_basic`, `client_secret_post` or `none` (RFC 7591 §2). */
	tokenEndpointAuthMethod: text('token_endpoint_auth_method').$type<TokenEndpointAuthMethod>().notNull(),
	// The same list as DEFAULT_GRANT_TYPES (oidc/grant-types.ts), which the schema may not import.
	grantTypes: jsonb('grant_types').$type<string[]>().notNull().default(['authorization_code', 'refresh_token']),
	idTokenSignedResponseAlg: text('id_token_signed_response_alg').$type<SigningAlgorithm>().notNull().default('RS256'),
	backchannelLogoutURI: text('backchannel_logout_uri'),
	logoURI: text('logo_uri'),
	clientURI: text('client_uri'),
	policyURI: text('policy_uri'),
	tosURI: text('tos_uri'),
	/** First-party clients skip the consent page (the guide's `skipConsent`). Never set by registration. */
	trusted: boolean('trusted').notNull().default(false),
	/**
	 * Registered by anyone through open RFC 7591 registration (no initial access token). The
	 * provider has no reason to trust such a client: it is labelled unverified on the consent
	 * page, and errors are never redirected to it without asking (RFC 9700 §4.11.2).
	 */
	selfRegistered: boolean('self_registered').notNull().default(false),
	/** API scopes (declared by resource servers) this client may request; OIDC scopes need no listing. */
	allowedScopes: jsonb('allowed_scopes').$type<string[]>().notNull().default([]),
	/** Resource server identifiers (RFC 8707 `resource`, the access token's `aud`) this client may ask for. */
	allowedResources: jsonb('allowed_resources').$type<string[]>().notNull().default([]),
	/** SHA-256 of the RFC 7592 registration access token; null for operator-managed clients. */
	registrationAccessTokenHash: text('registration_access_token_hash'),
	createdAt: timestamp('created_at', { withTimezone: true }).notNull()
});

/**
 * APIs the provider issues access tokens for (RFC 8707 resource servers), declared by an
 * operator. `id` is the resource identifier, an absolute URI, and becomes the `aud` of the
 * access tokens issued for it; `scopes` are the only API scopes that exist.
 */
export const resourceServers = pgTable('resource_server', {
	id: text('id').primaryKey(),
	name: text('name').notNull(),
	scopes: jsonb('scopes').$type<string[]>().notNull().default([]),
	createdAt: timestamp('created_at', { withTimezone: true }).notNull()
});

/**
 * RFC 7591 §3 initial access tokens, issued by an operator (stored by hash). Registering with
 * one may get what open registration never gets: client_credentials, API scopes, resources.
 */
export const initialAccessTokens = pgTable('initial_access_token', {
	tokenHash: text('token_hash').primaryKey(),
	description: text('description').notNull(),
	allowedGrantTypes: jsonb('allowed_grant_types').$type<string[]>().notNull().default([]),
	allowedScopes: jsonb('allowed_scopes').$type<string[]>().notNull().default([]),
	allowedResources: jsonb('allowed_resources').$type<string[]>().notNull().default([]),
	/** How many registrations it may still make; null for no limit. */
	usesLeft: integer('uses_left'),
	expiresAt: timestamp('expires_at', { withTimezone: true }),
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
