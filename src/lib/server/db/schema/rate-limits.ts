import { integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** Fixed-window counters, in the database so that every instance sees the same counts. */
export const rateLimits = pgTable('rate_limit', {
	key: text('key').primaryKey(),
	windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
	count: integer('count').notNull(),
	/** Until when the key is held back (growing delays after repeated failures); null when it is not. */
	blockedUntil: timestamp('blocked_until', { withTimezone: true })
});

/**
 * Leases for background jobs that must run on one instance at a time (the clean-up): an
 * instance takes the lease with one conditional upsert and holds it until `leaseUntil`.
 */
export const jobLeases = pgTable('job_lease', {
	name: text('name').primaryKey(),
	holder: text('holder').notNull(),
	leaseUntil: timestamp('lease_until', { withTimezone: true }).notNull()
});
