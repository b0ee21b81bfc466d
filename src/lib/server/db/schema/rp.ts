import { index, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * The demo sites' own sessions. No foreign key reaches a provider table: a relying party
 * knows the user only through the ID token it verified (`sub`, claims).
 */
export const rpSessions = pgTable(
	'rp_session',
	{
		id: text('id').primaryKey(),
		secretHash: text('secret_hash').notNull(),
		/** Which demo site owns the session (`site1`, `site2`). */
		site: text('site').notNull(),
		subject: text('subject').notNull(),
		/** The provider session (`sid` claim) it came from: back-channel logout names it. */
		providerSessionId: text('provider_session_id'),
		claims: jsonb('claims').$type<Record<string, unknown>>().notNull(),
		idToken: text('id_token').notNull(),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
		expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
		/**
		 * Set when a back-channel logout ended the session: the row stays (unusable) until the
		 * browser comes back with its cookie, so the site can say why it is signed out.
		 */
		endedByProviderAt: timestamp('ended_by_provider_at', { withTimezone: true })
	},
	(t) => [index('rp_session_subject_idx').on(t.site, t.subject), index('rp_session_sid_idx').on(t.site, t.providerSessionId)]
);

/**
 * Logout tokens a demo site has accepted, by `jti`, kept until they expire so that a replayed
 * token is refused (Back-Channel Logout 1.0 §2.6: the RP may keep a replay cache).
 */
export const rpSeenLogoutTokens = pgTable(
	'rp_seen_logout_token',
	{
		site: text('site').notNull(),
		jti: text('jti').notNull(),
		expiresAt: timestamp('expires_at', { withTimezone: true }).notNull()
	},
	(t) => [primaryKey({ columns: [t.site, t.jti] })]
);
