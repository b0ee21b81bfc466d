import { index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { users } from './users';

/**
 * Provider browser sessions, Lucia design: the cookie holds `id.secret`, the table holds
 * only the SHA-256 of the secret. `authTime` is when the user last proved who they are
 * (OIDC `auth_time`); it does not move with the sliding expiry.
 */
export const sessions = pgTable(
	'session',
	{
		id: text('id').primaryKey(),
		secretHash: text('secret_hash').notNull(),
		userId: text('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		authTime: timestamp('auth_time', { withTimezone: true }).notNull(),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
		expiresAt: timestamp('expires_at', { withTimezone: true }).notNull()
	},
	(t) => [index('session_user_id_idx').on(t.userId)]
);
