import { index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { users } from './users';

/**
 * The account's security log (account console → Security log): sign-ins and failed attempts,
 * password, email and two-factor changes, app grants and revocations. Kept a bounded time
 * (SECURITY_LOG_RETENTION_DAYS); the clean-up removes older rows. Removed with the account.
 */
export const securityEvents = pgTable(
	'security_event',
	{
		id: text('id').primaryKey(),
		userId: text('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		/** What happened: one of SECURITY_EVENT_TYPES (auth/security-log.ts). */
		type: text('type').notNull(),
		/** Facts that depend on the type: the sign-in method, the app's id and name, ... */
		detail: jsonb('detail').$type<Record<string, string>>().notNull().default({}),
		/** The address the request came from (ADDRESS_HEADER behind a proxy). */
		ipAddress: text('ip_address'),
		/** The browser's User-Agent, cut to MAX_USER_AGENT_LENGTH. */
		userAgent: text('user_agent'),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull()
	},
	(t) => [index('security_event_user_id_created_at_idx').on(t.userId, t.createdAt), index('security_event_created_at_idx').on(t.createdAt)]
);
