// Recovery codes: the way in when the authenticator app is lost. Each is random (80 bits),
// shown once, stored as SHA-256 (a random code needs no slow hash: there is nothing to guess
// from), and works once.
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { and, count, eq, isNull } from 'drizzle-orm';
import type { Database } from '../db';
import { recoveryCodes } from '../db/schema';
import { generateSecret, hashSecret } from '../secrets';

export const RECOVERY_CODE_COUNT = 10;
/** 10 bytes = 80 bits = 16 base32 characters, shown as four groups of four. */
const CODE_BYTES = 10;

/** One new code, `abcd-efgh-ijkl-mnop` (base32: no 0/1/8/9 to confuse with letters). */
export function generateRecoveryCode(): string {
	return encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(CODE_BYTES)))
		.match(/.{4}/g)!
		.join('-');
}

/** A code as typed: any case, with or without the dashes or spaces between groups. */
export function normalizeRecoveryCode(input: string): string | null {
	const compact = input.toLowerCase().replace(/[\s-]/g, '');
	return /^[a-z2-7]{16}$/.test(compact) ? compact : null;
}

/** Whether the input could be a recovery code (rather than a mistyped six-digit code). */
export function isRecoveryCodeFormat(input: string): boolean {
	return normalizeRecoveryCode(input) !== null;
}

/**
 * Replaces every code of the user with ten new ones and returns them: the only time they exist
 * in the clear. The old ones stop working in the same transaction.
 */
export async function replaceRecoveryCodes(db: Database, userId: string, now = new Date()): Promise<string[]> {
	const codes = Array.from({ length: RECOVERY_CODE_COUNT }, generateRecoveryCode);
	await db.transaction(async (tx) => {
		await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
		await tx
			.insert(recoveryCodes)
			.values(codes.map((code) => ({ id: generateSecret(), userId, codeHash: hashSecret(normalizeRecoveryCode(code)!), createdAt: now })));
	});
	return codes;
}

/**
 * Uses one code up: one UPDATE marks it used only if it was not, so of any number of parallel
 * uses exactly one succeeds.
 */
export async function useRecoveryCode(db: Database, userId: string, input: string, now = new Date()): Promise<boolean> {
	const code = normalizeRecoveryCode(input);
	if (!code) return false;
	const used = await db
		.update(recoveryCodes)
		.set({ usedAt: now })
		.where(and(eq(recoveryCodes.userId, userId), eq(recoveryCodes.codeHash, hashSecret(code)), isNull(recoveryCodes.usedAt)))
		.returning({ id: recoveryCodes.id });
	return used.length === 1;
}

/** How many unused codes the user has left. */
export async function countUnusedRecoveryCodes(db: Database, userId: string): Promise<number> {
	const [row] = await db
		.select({ n: count() })
		.from(recoveryCodes)
		.where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)));
	return Number(row?.n ?? 0);
}
