import { index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { clients } from './clients';
import { users } from './users';

/**
 * Authorization codes, stored by hash. A consumed code is kept until it expires so that a
 * replay can be recognised and the grant it produced revoked (RFC 6749 §4.1.2).
 */
export const authorizationCodes = pgTable('authorization_code', {
	codeHash: text('code_hash').primaryKey(),
	clientId: text('client_id')
		.notNull()
		.references(() => clients.id, { onDelete: 'cascade' }),
	userId: text('user_id')
		.notNull()
		.references(() => users.id, { onDelete: 'cascade' }),
	sessionId: text('session_id').notNull(),
	redirectURI: text('redirect_uri').notNull(),
	scope: text('scope').notNull(),
	nonce: text('nonce'),
	codeChallenge: text('code_challenge'),
	codeChallengeMethod: text('code_challenge_method'),
	authTime: timestamp('auth_time', { withTimezone: true }).notNull(),
	expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
	consumedAt: timestamp('consumed_at', { withTimezone: true }),
	/** The grant the code was exchanged for, so a replay can revoke it. */
	grantId: text('grant_id')
});

/** What one code exchange produced: the tokens below all belong to one grant. */
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
		sessionId: text('session_id').notNull(),
		scope: text('scope').notNull(),
		authTime: timestamp('auth_time', { withTimezone: true }).notNull(),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
		revokedAt: timestamp('revoked_at', { withTimezone: true })
	},
	(t) => [index('oauth_grant_user_id_idx').on(t.userId)]
);

/** Access tokens are JWTs; this row lets the provider revoke one before it expires. */
export const accessTokens = pgTable('access_token', {
	jti: text('jti').primaryKey(),
	grantId: text('grant_id')
		.notNull()
		.references(() => grants.id, { onDelete: 'cascade' }),
	expiresAt: timestamp('expires_at', { withTimezone: true }).notNull()
});

/** Refresh tokens, stored by hash. */
export const refreshTokens = pgTable('refresh_token', {
	tokenHash: text('token_hash').primaryKey(),
	grantId: text('grant_id')
		.notNull()
		.references(() => grants.id, { onDelete: 'cascade' }),
	expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
	createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
	rotatedAt: timestamp('rotated_at', { withTimezone: true })
});
