/**
 * Telling a database outage apart from a bug. While the database cannot be reached, requests
 * are answered 503 with Retry-After (RFC 9110 §15.6.4; RFC 6749 §4.1.2.1 and §5.2 name the
 * OAuth code `temporarily_unavailable`), and the log gets one line per outage instead of a
 * stack trace per request.
 */

/** Seconds a client is asked to wait before retrying (the Retry-After header). */
export const RETRY_AFTER_SECONDS = 5;

// Connection-level failures: the socket (Node), postgres.js's own connection errors, and the
// server's SQLSTATE classes for "the server is going away" (57P01 admin_shutdown, 57P02
// crash_shutdown, 57P03 cannot_connect_now) and connection exceptions (class 08).
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const DRIVER_CODES = new Set(['CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT']);
const SERVER_SHUTDOWN_CODES = new Set(['57P01', '57P02', '57P03']);

/** Thrown where a request cannot be served because the database state is unknown. */
export class DatabaseUnavailable extends Error {
	constructor(cause?: unknown) {
		super('the database is unavailable', { cause });
	}
}

function isConnectionCode(code: unknown): boolean {
	return typeof code === 'string' && (NETWORK_CODES.has(code) || DRIVER_CODES.has(code) || SERVER_SHUTDOWN_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code));
}

/**
 * Whether `error` (or what it wraps: drizzle's DrizzleQueryError keeps the driver's error in
 * `cause`, Node's AggregateError lists one per address tried) means the database is unreachable.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
	if (depth > 5 || typeof error !== 'object' || error === null) return false;
	if (error instanceof DatabaseUnavailable) return true;
	if (isConnectionCode((error as { code?: unknown }).code)) return true;
	const errors = (error as { errors?: unknown }).errors;
	if (Array.isArray(errors) && errors.some((e) => isDatabaseUnavailable(e, depth + 1))) return true;
	return isDatabaseUnavailable((error as { cause?: unknown }).cause, depth + 1);
}

/** The innermost error's code and message, for one readable log line. */
function describe(error: unknown): string {
	let current: unknown = error;
	for (let i = 0; i < 5 && current instanceof Error && current.cause; i++) current = current.cause;
	const code = (current as { code?: unknown })?.code;
	const message = current instanceof Error ? current.message : String(current);
	return typeof code === 'string' && !message.includes(code) ? `${code} ${message}` : message;
}

/** Logs at most one line per `quietSeconds`, however many requests fail meanwhile. */
export function createOutageReporter(log: (line: string) => void = console.error, quietSeconds = 10, now: () => number = Date.now) {
	let lastAt = -Infinity;
	let suppressed = 0;
	return (error: unknown): void => {
		const at = now();
		if (at - lastAt < quietSeconds * 1000) {
			suppressed++;
			return;
		}
		const more = suppressed ? ` (${suppressed} more failed requests since the last report)` : '';
		log(`[sso] database unavailable: ${describe(error)}; answering 503 with Retry-After${more}`);
		lastAt = at;
		suppressed = 0;
	};
}

/** The process-wide reporter. */
export const reportDatabaseOutage = createOutageReporter();
