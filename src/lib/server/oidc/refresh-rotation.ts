import { encodeBase64urlNoPadding } from '@oslojs/encoding';
import { and, eq, isNull } from 'drizzle-orm';
import type { Database } from '../db';
import { refreshTokens } from '../db/schema';

// RFC 9700 §4.14.2 refresh token rotation, with the rule that makes it hold under concurrency:
// each refresh token has exactly ONE successor. The successor is derived from the token itself
// (an HMAC under a key only the provider has), so it never has to be stored in plaintext and
// a presentation inside the operator's grace window can hand out the same successor again
// instead of starting a second branch of the grant.

/** The HMAC key successors are derived with: HKDF-SHA-256 of the server secret under its own label. */
export async function deriveRefreshSuccessorKey(secret: string): Promise<CryptoKey> {
	const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), 'HKDF', false, ['deriveKey']);
	return crypto.subtle.deriveKey(
		{ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(), info: new TextEncoder().encode('refresh token successor') },
		material,
		{ name: 'HMAC', hash: 'SHA-256', length: 256 },
		false,
		['sign']
	);
}

/** The one successor of `token`: base64url(HMAC-SHA-256(key, token)), 256 bits. */
export async function refreshTokenSuccessor(key: CryptoKey, token: string): Promise<string> {
	const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(token));
	return encodeBase64urlNoPadding(new Uint8Array(mac));
}

/**
 * Marks the token rotated, atomically: of any number of concurrent redemptions (on any number
 * of instances) exactly one gets `true`; the others are presentations of a rotated token.
 */
export async function claimRotation(db: Database, tokenHash: string, now: Date): Promise<boolean> {
	const rows = await db
		.update(refreshTokens)
		.set({ rotatedAt: now })
		.where(and(eq(refreshTokens.tokenHash, tokenHash), isNull(refreshTokens.rotatedAt)))
		.returning({ tokenHash: refreshTokens.tokenHash });
	return rows.length === 1;
}

/** When the token was rotated (read after a lost claimRotation, so the winner's write is visible). */
export async function rotationTime(db: Database, tokenHash: string): Promise<Date | null> {
	const [row] = await db.select({ rotatedAt: refreshTokens.rotatedAt }).from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash)).limit(1);
	return row?.rotatedAt ?? null;
}

/**
 * Whether a second presentation of a rotated token falls inside the operator's grace window
 * (REFRESH_TOKEN_REUSE_GRACE_SECONDS; 0, the default, means never: RFC 9700 §4.14.2).
 */
export function withinReuseGrace(rotatedAt: Date | null, now: Date, graceSeconds: number): boolean {
	if (graceSeconds <= 0 || !rotatedAt) return false;
	return now.getTime() - rotatedAt.getTime() <= graceSeconds * 1000;
}
