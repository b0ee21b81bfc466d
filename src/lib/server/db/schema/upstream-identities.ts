import { index, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { users } from './users';

/**
 * An account at an upstream identity provider (GitHub, Google, any OpenID provider) linked to
 * one of our users. The pair (provider, subject) names it: the upstream's stable user id, never
 * its email, which the person can change there. Upstream access and refresh tokens are not kept.
 */
export const upstreamIdentities = pgTable(
	'upstream_identity',
	{
		/** The upstream's configured id: `github`, `google`, or the id of a generic OpenID provider. */
		provider: text('provider').notNull(),
		/** GitHub's numeric user id; an OpenID provider's `sub`. */
		subject: text('subject').notNull(),
		userId: text('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		/** The verified email the upstream reported when the link was made (for the account console). */
		emailAtLink: text('email_at_link'),
		linkedAt: timestamp('linked_at', { withTimezone: true }).notNull(),
		lastUsedAt: timestamp('last_used_at', { withTimezone: true })
	},
	(t) => [primaryKey({ columns: [t.provider, t.subject] }), index('upstream_identity_user_id_idx').on(t.userId)]
);
