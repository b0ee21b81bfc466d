import { boolean, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** People who sign in at the provider. `email` is stored lower-cased. */
export const users = pgTable('user', {
	id: text('id').primaryKey(),
	email: text('email').notNull().unique(),
	emailVerified: boolean('email_verified').notNull().default(false),
	name: text('name').notNull(),
	/** Argon2id PHC string; null for accounts that only sign in through GitHub or Google. */
	passwordHash: text('password_hash'),
	createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
	updatedAt: timestamp('updated_at', { withTimezone: true }).notNull()
});
