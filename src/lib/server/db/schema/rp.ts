import { index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

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
		expiresAt: timestamp('expires_at', { withTimezone: true }).notNull()
	},
	(t) => [index('rp_session_subject_idx').on(t.site, t.subject), index('rp_session_sid_idx').on(t.site, t.providerSessionId)]
);
