import { index, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
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
		/**
		 * How the user authenticated at `authTime` (RFC 8176 values, space-separated), carried
		 * into ID tokens as `amr`: `pwd` for a password; `fed` for a sign-in at an upstream provider.
		 */
		amr: text('amr').notNull().default('pwd'),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
		/** The browser's User-Agent at sign-in, cut to MAX_USER_AGENT_LENGTH: shown as "browser on OS". */
		userAgent: text('user_agent'),
		/** The address the sign-in came from, as the account console shows it. */
		ipAddress: text('ip_address'),
		/** When the session was last used, refreshed at most every LAST_SEEN_INTERVAL_MS. */
		lastSeenAt: timestamp('last_seen_at', { withTimezone: true }),
		/**
		 * SHA-256 of the sign-in form's submission id (auth/sign-in-submission.ts): a repeat of the
		 * same form by the same user replaces this session instead of adding one. Null otherwise.
		 */
		submissionHash: text('submission_hash'),
		expiresAt: timestamp('expires_at', { withTimezone: true }).notNull()
	},
	(t) => [index('session_user_id_idx').on(t.userId), uniqueIndex('session_user_id_submission_hash_idx').on(t.userId, t.submissionHash)]
);
