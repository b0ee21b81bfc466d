import { index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { users } from './users';

/**
 * Single-use tokens in the Lucia `id.secret` form, stored as the SHA-256 of the secret: the
 * links mailed for sign-up, password reset and change of address, and the pending link of an
 * upstream identity that waits for the owner's proof. Used once (deleted when used) and
 * short-lived; the clean-up removes the expired ones.
 */
export const oneTimeTokens = pgTable(
	'one_time_token',
	{
		id: text('id').primaryKey(),
		secretHash: text('secret_hash').notNull(),
		/** `sign-up`, `reset-password`, `change-email`, `link-upstream`: a token is only ever accepted for its own purpose. */
		purpose: text('purpose').notNull(),
		/** The account it acts on; null for a sign-up, whose account does not exist yet. */
		userId: text('user_id').references(() => users.id, { onDelete: 'cascade' }),
		/** The address the link was sent to (for a change of address: the new one). */
		email: text('email').notNull(),
		/** What the purpose needs later (a sign-up's name and password hash; an upstream identity to link). */
		payload: jsonb('payload'),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
		expiresAt: timestamp('expires_at', { withTimezone: true }).notNull()
	},
	(t) => [index('one_time_token_user_id_idx').on(t.userId), index('one_time_token_expires_at_idx').on(t.expiresAt)]
);
