import { and, eq, gt, notExists, sql } from 'drizzle-orm';
import type { Database } from '../db';
import { securityEvents, users } from '../db/schema';
import { generateSecret } from '../secrets';
import type { RequestOrigin } from './security-log';
import { MAX_USER_AGENT_LENGTH } from './session';
import { normalizeEmail } from './user';

/** Why a password sign-in failed, as its line in the owner's security log says. */
export type FailedSignInReason = 'password' | 'rate-limited';

/**
 * A refused attempt is not counted by the limits, so a guesser can send them without end: in
 * one account's log they are kept to one line per address per this many seconds (the line
 * says so), which bounds what a flood can write into someone else's log.
 */
export const RATE_LIMITED_LINE_EVERY_SECONDS = 15 * 60;

/** The reason to log for a failed `signInWithPassword` result (password-sign-in.ts). */
export function failureReason(failure: 'invalid' | 'rate-limited'): FailedSignInReason {
	return failure === 'rate-limited' ? 'rate-limited' : 'password';
}

/**
 * Adds "failed sign-in" to the log of the account with this email, if there is one. One
 * statement whether or not the account exists (`INSERT ... SELECT ... FROM user WHERE email`,
 * which inserts nothing for an unknown address), so a failure costs the same round trip either
 * way and the answer's timing says nothing new about which addresses have accounts (OWASP
 * Authentication Cheat Sheet: "Authentication Responses"). Nothing of the attempt but its
 * origin is kept: never the password tried.
 */
export async function recordFailedSignIn(
	db: Database,
	email: unknown,
	failure: 'invalid' | 'rate-limited',
	origin: RequestOrigin,
	now = new Date()
): Promise<void> {
	const address = normalizeEmail(email);
	if (!address) return;
	const reason = failureReason(failure);
	const ipAddress = origin.ipAddress ? origin.ipAddress.slice(0, 64) : null;
	const userAgent = origin.userAgent ? origin.userAgent.slice(0, MAX_USER_AGENT_LENGTH) : null;
	const at = sql`${now.toISOString()}::timestamptz`;
	const account = eq(users.email, address);
	// Refusals from the same address within the window are already said by the line before.
	const sameRefusalRecently = db
		.select({ id: securityEvents.id })
		.from(securityEvents)
		.where(
			and(
				eq(securityEvents.userId, users.id),
				eq(securityEvents.type, 'sign-in-failed'),
				sql`${securityEvents.detail}->>'reason' = 'rate-limited'`,
				ipAddress === null ? sql`${securityEvents.ipAddress} is null` : eq(securityEvents.ipAddress, ipAddress),
				gt(securityEvents.createdAt, sql`${at} - ${RATE_LIMITED_LINE_EVERY_SECONDS}::integer * interval '1 second'`)
			)
		);
	await db.insert(securityEvents).select(
		db
			.select({
				id: sql`${generateSecret()}::text`.as('id'),
				userId: users.id,
				type: sql`'sign-in-failed'::text`.as('type'),
				detail: sql`${JSON.stringify({ reason })}::jsonb`.as('detail'),
				ipAddress: sql`${ipAddress}::text`.as('ip_address'),
				userAgent: sql`${userAgent}::text`.as('user_agent'),
				createdAt: at.as('created_at')
			})
			.from(users)
			.where(reason === 'rate-limited' ? and(account, notExists(sameRefusalRecently)) : account)
	);
}
