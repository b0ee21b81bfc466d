// A user's TOTP authenticator: enrolled (key made, not yet trusted), confirmed with a code
// (from then on asked at every sign-in), used (each code once), removed.
import { and, eq, isNotNull, isNull, lt, or } from 'drizzle-orm';
import type { Database } from '../db';
import { recoveryCodes, totpCredentials } from '../db/schema';
import { decryptTOTPKey, encryptTOTPKey, generateTOTPKey, matchingTimeStep } from './totp';

export interface TOTPStatus {
	/** Null: no authenticator; otherwise since when it is asked for (null while enrolling). */
	confirmedAt: Date | null;
	enrolling: boolean;
}

/** Whether the user has an authenticator, and whether it is in use yet. */
export async function findTOTPStatus(db: Database, userId: string): Promise<TOTPStatus> {
	const [row] = await db.select({ confirmedAt: totpCredentials.confirmedAt }).from(totpCredentials).where(eq(totpCredentials.userId, userId)).limit(1);
	return { confirmedAt: row?.confirmedAt ?? null, enrolling: !!row && !row.confirmedAt };
}

/** Whether sign-in must ask this user for a code: only a confirmed authenticator counts. */
export async function hasConfirmedTOTP(db: Database, userId: string): Promise<boolean> {
	return (await findTOTPStatus(db, userId)).confirmedAt !== null;
}

/**
 * The key being enrolled, made on first call and kept until confirmed or cancelled, so a page
 * reload shows the same QR code as the app has already scanned. Null when an authenticator is
 * already confirmed: it is never replaced silently, only removed (disableTOTP) and enrolled anew.
 */
export async function enrollingTOTPKey(db: Database, userId: string, encryptionKey: Uint8Array, now = new Date()): Promise<Uint8Array | null> {
	const encryptedKey = await encryptTOTPKey(generateTOTPKey(), encryptionKey);
	// One statement: two tabs enrolling at once end with one key, which both then show.
	await db.insert(totpCredentials).values({ userId, encryptedKey, createdAt: now }).onConflictDoNothing();
	const [row] = await db.select().from(totpCredentials).where(eq(totpCredentials.userId, userId)).limit(1);
	if (!row || row.confirmedAt) return null;
	return decryptTOTPKey(row.encryptedKey, encryptionKey);
}

/** The key being enrolled, if there is one (without making one). */
export async function pendingTOTPKey(db: Database, userId: string, encryptionKey: Uint8Array): Promise<Uint8Array | null> {
	const [row] = await db
		.select({ encryptedKey: totpCredentials.encryptedKey })
		.from(totpCredentials)
		.where(and(eq(totpCredentials.userId, userId), isNull(totpCredentials.confirmedAt)))
		.limit(1);
	return row ? decryptTOTPKey(row.encryptedKey, encryptionKey) : null;
}

/**
 * Checks `code` against the user's key and uses its time step up. The check and the use are
 * one UPDATE (`... WHERE last_used_step < step`): of two requests with the same code, however
 * parallel, exactly one passes, and a code seen over a shoulder is useless once used (RFC 6238
 * §5.2). `confirmed`: which credential may answer (a confirmed one at sign-in, the enrolling
 * one when enrolment is confirmed; confirming sets `confirmed_at` in the same statement).
 */
async function useTOTPCode(db: Database, userId: string, code: string, encryptionKey: Uint8Array, confirmed: boolean, now: Date): Promise<boolean> {
	const state = confirmed ? isNotNull(totpCredentials.confirmedAt) : isNull(totpCredentials.confirmedAt);
	const [row] = await db
		.select({ encryptedKey: totpCredentials.encryptedKey })
		.from(totpCredentials)
		.where(and(eq(totpCredentials.userId, userId), state))
		.limit(1);
	if (!row) return false;
	const step = matchingTimeStep(await decryptTOTPKey(row.encryptedKey, encryptionKey), code, now);
	if (step === null) return false;
	const used = await db
		.update(totpCredentials)
		.set({ lastUsedStep: step, ...(confirmed ? {} : { confirmedAt: now }) })
		.where(
			and(
				eq(totpCredentials.userId, userId),
				eq(totpCredentials.encryptedKey, row.encryptedKey),
				state,
				or(isNull(totpCredentials.lastUsedStep), lt(totpCredentials.lastUsedStep, step))
			)
		)
		.returning({ userId: totpCredentials.userId });
	return used.length === 1;
}

/** A code from the user's confirmed authenticator, at sign-in: true once per code. */
export function verifyTOTPCode(db: Database, userId: string, code: string, encryptionKey: Uint8Array, now = new Date()): Promise<boolean> {
	return useTOTPCode(db, userId, code, encryptionKey, true, now);
}

/** The first code from the app just set up: proves it holds the key; from now on sign-in asks for codes. */
export function confirmTOTPEnrolment(db: Database, userId: string, code: string, encryptionKey: Uint8Array, now = new Date()): Promise<boolean> {
	return useTOTPCode(db, userId, code, encryptionKey, false, now);
}

/** Abandons an enrolment that was never confirmed (a confirmed authenticator stays). */
export async function cancelTOTPEnrolment(db: Database, userId: string): Promise<void> {
	await db.delete(totpCredentials).where(and(eq(totpCredentials.userId, userId), isNull(totpCredentials.confirmedAt)));
}

/** Turns two-step verification off: the authenticator and the recovery codes go together. Returns whether one was on. */
export async function disableTOTP(db: Database, userId: string): Promise<boolean> {
	const removed = await db.delete(totpCredentials).where(eq(totpCredentials.userId, userId)).returning({ confirmedAt: totpCredentials.confirmedAt });
	await db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
	return removed.some((r) => r.confirmedAt !== null);
}
