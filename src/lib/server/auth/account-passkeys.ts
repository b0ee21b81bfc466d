// The account console's passkey list: add (after the WebAuthn registration checks in
// passkeys.ts), rename, remove. Every change is the signed-in user's own passkey or nothing,
// and adding or removing one goes into the security log.
import { and, asc, eq } from 'drizzle-orm';
import type { Database } from '../db';
import { passkeys } from '../db/schema';
import { registerPasskey, type PasskeyFailure, type RegistrationResponse, type RelyingParty } from './passkeys';
import { recordSecurityEvent, type RequestOrigin } from './security-log';

export const PASSKEY_NAME_MAX_LENGTH = 60;

export interface PasskeySummary {
	id: string;
	name: string;
	/** A synced passkey (backup eligible) rather than one bound to its device. */
	synced: boolean;
	createdAt: Date;
	lastUsedAt: Date | null;
}

/** The user's passkeys, oldest first (the order they were added). */
export async function listPasskeys(db: Database, userId: string): Promise<PasskeySummary[]> {
	const rows = await db
		.select({ id: passkeys.id, name: passkeys.name, synced: passkeys.backupEligible, createdAt: passkeys.createdAt, lastUsedAt: passkeys.lastUsedAt })
		.from(passkeys)
		.where(eq(passkeys.userId, userId))
		.orderBy(asc(passkeys.createdAt), asc(passkeys.id));
	return rows;
}

/** A passkey's name as typed, or what is wrong with it. */
export function parsePasskeyName(value: unknown): { name: string } | { error: string } {
	const name = typeof value === 'string' ? value.trim().replace(/\s+/g, ' ') : '';
	if (!name) return { error: 'Enter a name for the passkey, e.g. the device it is on.' };
	if (name.length > PASSKEY_NAME_MAX_LENGTH) return { error: `Use at most ${PASSKEY_NAME_MAX_LENGTH} characters.` };
	if (/[\u0000-\u001f\u007f]/.test(name) || !name.isWellFormed()) return { error: 'Use letters, digits and punctuation only.' };
	return { name };
}

export type AddPasskeyOutcome = { status: 'added'; id: string } | { status: 'invalid-name'; error: string } | { status: 'refused'; failure: PasskeyFailure };

/** Registers a passkey for the user (WebAuthn §7.1) under the name they chose, and logs it. */
export async function addPasskey(
	db: Database,
	rp: RelyingParty,
	input: { userId: string; name: unknown; response: RegistrationResponse; origin: RequestOrigin },
	now = new Date()
): Promise<AddPasskeyOutcome> {
	const named = parsePasskeyName(input.name);
	if ('error' in named) return { status: 'invalid-name', error: named.error };
	const registered = await registerPasskey(db, rp, { userId: input.userId, name: named.name, response: input.response }, now);
	if (!registered.ok) return { status: 'refused', failure: registered.failure };
	await recordSecurityEvent(db, input.userId, 'passkey-added', { name: named.name }, input.origin, now);
	return { status: 'added', id: registered.value.id };
}

export type RenamePasskeyOutcome = { status: 'renamed' } | { status: 'invalid-name'; error: string } | { status: 'gone' };

/** Renames one of the user's passkeys; another user's id is 'gone', as is one removed meanwhile. */
export async function renamePasskey(db: Database, userId: string, passkeyId: unknown, name: unknown): Promise<RenamePasskeyOutcome> {
	const named = parsePasskeyName(name);
	if ('error' in named) return { status: 'invalid-name', error: named.error };
	if (typeof passkeyId !== 'string' || !passkeyId) return { status: 'gone' };
	const renamed = await db
		.update(passkeys)
		.set({ name: named.name })
		.where(and(eq(passkeys.id, passkeyId), eq(passkeys.userId, userId)))
		.returning({ id: passkeys.id });
	return renamed.length ? { status: 'renamed' } : { status: 'gone' };
}

/**
 * Removes one of the user's passkeys and logs it. The authenticator keeps its key (the site
 * cannot reach it), but it no longer signs anyone in here. False when it is not theirs or gone.
 */
export async function removePasskey(db: Database, userId: string, passkeyId: unknown, origin: RequestOrigin, now = new Date()): Promise<boolean> {
	if (typeof passkeyId !== 'string' || !passkeyId) return false;
	const [removed] = await db
		.delete(passkeys)
		.where(and(eq(passkeys.id, passkeyId), eq(passkeys.userId, userId)))
		.returning({ name: passkeys.name });
	if (!removed) return false;
	await recordSecurityEvent(db, userId, 'passkey-removed', { name: removed.name }, origin, now);
	return true;
}
