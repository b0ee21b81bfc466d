import { index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { clients } from './clients';
import { users } from './users';

/**
 * One user's authorization of one client, created when the authorization endpoint issues a
 * code. Every token issued from that code (and its refreshes) belongs to the grant, so
 * revoking the grant, e.g. when a code is replayed (RFC 6749 §4.1.2), stops all of them.
 */
export const grants = pgTable(
	'oauth_grant',
	{
		id: text('id').primaryKey(),
		clientId: text('client_id')
			.notNull()
			.references(() => clients.id, { onDelete: 'cascade' }),
		userId: text('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		/** The provider session the user authorized from (OIDC `sid`). */
		sessionId: text('session_id').notNull(),
		scope: text('scope').notNull(),
		/** When the user last authenticated, as of the authorization (OIDC `auth_time`). */
		authTime: timestamp('auth_time', { withTimezone: true }).notNull(),
		/** How the user authenticated, as of the authorization (OIDC `amr`; the session's `amr`). */
		amr: text('amr').notNull().default('pwd'),
		/**
		 * The `acr` the ID tokens of this grant carry (OIDC Core §2): chosen at authorization from
		 * the client's `acr_values` and `amr` (auth/authentication-strength.ts); null: derived from `amr`.
		 */
		acr: text('acr'),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
		revokedAt: timestamp('revoked_at', { withTimezone: true })
	},
	(t) => [index('oauth_grant_user_id_idx').on(t.userId), index('oauth_grant_session_id_idx').on(t.sessionId)]
);

/**
 * Authorization codes, stored by hash. A consumed code is kept until it expires so that a
 * replay is recognised as one (and its grant revoked) rather than as an unknown code.
 */
export const authorizationCodes = pgTable(
	'authorization_code',
	{
		codeHash: text('code_hash').primaryKey(),
		grantId: text('grant_id')
			.notNull()
			.references(() => grants.id, { onDelete: 'cascade' }),
		redirectURI: text('redirect_uri').notNull(),
		nonce: text('nonce'),
		codeChallenge: text('code_challenge'),
		codeChallengeMethod: text('code_challenge_method'),
		expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
		consumedAt: timestamp('consumed_at', { withTimezone: true })
	},
	(t) => [index('authorization_code_expires_at_idx').on(t.expiresAt)]
);

/** Refresh tokens, stored by hash; `rotatedAt` is set when one is exchanged for its successor. */
export const refreshTokens = pgTable(
	'refresh_token',
	{
		tokenHash: text('token_hash').primaryKey(),
		grantId: text('grant_id')
			.notNull()
			.references(() => grants.id, { onDelete: 'cascade' }),
		expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
		rotatedAt: timestamp('rotated_at', { withTimezone: true })
	},
	(t) => [index('refresh_token_grant_id_idx').on(t.grantId)]
);

/**
 * Access tokens revoked before their expiry (RFC 7009). Access tokens are self-contained
 * JWTs, so only the exceptions are stored; a row can go once `expires_at` has passed.
 */
export const revokedAccessTokens = pgTable('revoked_access_token', {
	jti: text('jti').primaryKey(),
	expiresAt: timestamp('expires_at', { withTimezone: true }).notNull()
});
