import type { Database } from '../db';
import { securityEvents } from '../db/schema';
import { generateSecret } from '../secrets';
import { MAX_USER_AGENT_LENGTH } from './session';

/**
 * What the account's security log records. Each is something the owner would want to know
 * happened to their account, and could not otherwise tell: a sign-in from an unknown place,
 * a change they did not make, an app that can act for them.
 */
export const SECURITY_EVENT_TYPES = [
	'sign-in',
	'sign-in-failed',
	'step-up',
	'password-changed',
	'password-reset',
	'password-set',
	'email-changed',
	'totp-enabled',
	'totp-disabled',
	'recovery-codes-generated',
	'recovery-code-used',
	'passkey-added',
	'passkey-removed',
	'app-granted',
	'app-revoked',
	'session-revoked',
	'other-sessions-revoked',
	'upstream-linked'
] as const;

export type SecurityEventType = (typeof SECURITY_EVENT_TYPES)[number];

/** Where the request came from: `signInOrigin(event)` gives both. */
export interface RequestOrigin {
	ipAddress?: string | null;
	userAgent?: string | null;
}

/**
 * Appends one event to the user's security log. `detail` holds short facts for the log's line
 * (`method: 'password'`, `clientName: 'Internal Dashboard'`): never a secret, a code or a token.
 */
export async function recordSecurityEvent(
	db: Database,
	userId: string,
	type: SecurityEventType,
	detail: Record<string, string> = {},
	origin: RequestOrigin = {},
	now = new Date()
): Promise<void> {
	await db.insert(securityEvents).values({
		id: generateSecret(),
		userId,
		type,
		detail,
		ipAddress: origin.ipAddress ? origin.ipAddress.slice(0, 64) : null,
		userAgent: origin.userAgent ? origin.userAgent.slice(0, MAX_USER_AGENT_LENGTH) : null,
		createdAt: now
	});
}
