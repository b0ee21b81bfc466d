import { index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import type { FlowTrace } from '../../rp/flow-trace';
import { rpSessions } from './rp';

/**
 * A browser's flow-inspector log at one demo site, opened by its own cookie (`id.secret`,
 * the secret stored as SHA-256). It belongs to the site session it started with and goes
 * with it (cascade); an explicit sign-out or back-channel logout detaches it first, clears
 * it and keeps only the flow that ended the session for a few minutes, so the owner can see
 * how it ended. No foreign key reaches a provider table (the site is a separate party).
 */
export const rpFlowLogs = pgTable(
	'rp_flow_log',
	{
		id: text('id').primaryKey(),
		secretHash: text('secret_hash').notNull(),
		site: text('site').notNull(),
		sessionId: text('session_id').references(() => rpSessions.id, { onDelete: 'cascade' }),
		/** `sub` and `sid` of the ID token: a logout token names a session by these. */
		subject: text('subject'),
		providerSessionId: text('provider_session_id'),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
		expiresAt: timestamp('expires_at', { withTimezone: true }).notNull()
	},
	(t) => [
		index('rp_flow_log_session_idx').on(t.sessionId),
		index('rp_flow_log_sid_idx').on(t.site, t.providerSessionId),
		index('rp_flow_log_subject_idx').on(t.site, t.subject)
	]
);

/** One recorded flow (sign-in, API call, sign-out, back-channel logout): redacted, size-bounded JSON. */
export const rpFlowTraces = pgTable(
	'rp_flow_trace',
	{
		id: text('id').primaryKey(),
		logId: text('log_id')
			.notNull()
			.references(() => rpFlowLogs.id, { onDelete: 'cascade' }),
		/** Order within the log (recorded time in ms; ties broken by id). */
		recordedAt: timestamp('recorded_at', { withTimezone: true, precision: 3 }).notNull(),
		sizeBytes: integer('size_bytes').notNull(),
		trace: jsonb('trace').$type<FlowTrace>().notNull()
	},
	(t) => [index('rp_flow_trace_log_idx').on(t.logId, t.recordedAt)]
);
