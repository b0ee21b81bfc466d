import { and, desc, eq, lt, or } from 'drizzle-orm';
import type { Database } from '../db';
import { securityEvents } from '../db/schema';

/** Lines per page of the Security log; older ones are a link away. */
export const SECURITY_LOG_PAGE_SIZE = 50;

/** One line of the log as stored: what, when, from where. */
export interface SecurityLogEntry {
	id: string;
	type: string;
	detail: Record<string, string>;
	ipAddress: string | null;
	userAgent: string | null;
	createdAt: Date;
}

/** Where a page starts: just before this event (keyset pagination: stable while new lines arrive). */
export interface SecurityLogCursor {
	createdAt: Date;
	id: string;
}

export interface SecurityLogPage {
	events: SecurityLogEntry[];
	/** The cursor of the next (older) page, or null when this page reaches the oldest line. */
	older: SecurityLogCursor | null;
}

/** `1767225600000.abc…`: the time in milliseconds and the id of the last line shown. */
export function formatCursor(cursor: SecurityLogCursor): string {
	return `${cursor.createdAt.getTime()}.${cursor.id}`;
}

/**
 * The cursor in a `?before=` parameter: null when absent, 'invalid' when it is not one we
 * made. It only ever narrows a query already limited to the signed-in user's own events, so a
 * forged one can show nothing of anyone else.
 */
export function parseCursor(value: string | null): SecurityLogCursor | null | 'invalid' {
	if (value === null || value === '') return null;
	const match = /^(\d{1,15})\.([a-z2-7]{16,64})$/.exec(value);
	if (!match) return 'invalid';
	const createdAt = new Date(Number(match[1]));
	return Number.isNaN(createdAt.getTime()) ? 'invalid' : { createdAt, id: match[2] };
}

/** The user's events, newest first, `pageSize` at most, starting after `before` when given. */
export async function listSecurityEvents(
	db: Database,
	userId: string,
	options: { before?: SecurityLogCursor | null; pageSize?: number } = {}
): Promise<SecurityLogPage> {
	const pageSize = Math.max(1, Math.min(options.pageSize ?? SECURITY_LOG_PAGE_SIZE, SECURITY_LOG_PAGE_SIZE));
	const before = options.before;
	const rows = await db
		.select({
			id: securityEvents.id,
			type: securityEvents.type,
			detail: securityEvents.detail,
			ipAddress: securityEvents.ipAddress,
			userAgent: securityEvents.userAgent,
			createdAt: securityEvents.createdAt
		})
		.from(securityEvents)
		.where(
			and(
				eq(securityEvents.userId, userId),
				before
					? or(lt(securityEvents.createdAt, before.createdAt), and(eq(securityEvents.createdAt, before.createdAt), lt(securityEvents.id, before.id)))
					: undefined
			)
		)
		.orderBy(desc(securityEvents.createdAt), desc(securityEvents.id))
		// One more than shown: whether there is an older page, without counting.
		.limit(pageSize + 1);
	const events = rows.slice(0, pageSize).map((row) => ({ ...row, detail: stringFields(row.detail) }));
	const last = events.at(-1);
	return { events, older: rows.length > pageSize && last ? { createdAt: last.createdAt, id: last.id } : null };
}

// The column is jsonb: keep only string facts, whatever an older row holds.
function stringFields(detail: unknown): Record<string, string> {
	if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return {};
	return Object.fromEntries(Object.entries(detail).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
