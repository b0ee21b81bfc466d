import { eq, lte } from 'drizzle-orm';
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeHexLowerCase } from '@oslojs/encoding';
import type { Database } from '../db';
import { webauthnChallenges } from '../db/schema';

/** The two WebAuthn ceremonies: a challenge is only ever accepted for the one it was issued for. */
export type Ceremony = 'register' | 'authenticate';

/** How long the browser has to answer: the dialog's timeout too (WebAuthn §5.4 `timeout`). */
export const CHALLENGE_LIFETIME_SECONDS = 300;

// WebAuthn §13.4.3: at least 16 random bytes; 32 as the Lucia guide and most RPs use.
const CHALLENGE_BYTES = 32;

const hashChallenge = (challenge: Uint8Array) => encodeHexLowerCase(sha256(challenge));

/**
 * A fresh challenge for `ceremony`, remembered (as its SHA-256) until it is used once or
 * expires. `userId` binds a registration to the signed-in account; a passkey sign-in has none.
 * Expired challenges are removed here, so abandoned dialogs never pile up.
 */
export async function issueChallenge(db: Database, ceremony: Ceremony, userId: string | null, now = new Date()): Promise<Uint8Array> {
	const challenge = crypto.getRandomValues(new Uint8Array(CHALLENGE_BYTES));
	await db.delete(webauthnChallenges).where(lte(webauthnChallenges.expiresAt, now));
	await db.insert(webauthnChallenges).values({
		challengeHash: hashChallenge(challenge),
		purpose: ceremony,
		userId,
		createdAt: now,
		expiresAt: new Date(now.getTime() + CHALLENGE_LIFETIME_SECONDS * 1000)
	});
	return challenge;
}

/**
 * Whether `challenge` was issued for this ceremony (and this user) and has not expired. It is
 * used up by the one statement that finds it (DELETE ... RETURNING), whatever the answer: two
 * requests racing with one challenge cannot both get it, and a challenge presented to the wrong
 * ceremony is gone too (WebAuthn §13.4.3: a challenge is single-use).
 */
export async function consumeChallenge(db: Database, challenge: Uint8Array, ceremony: Ceremony, userId: string | null, now = new Date()): Promise<boolean> {
	const [row] = await db
		.delete(webauthnChallenges)
		.where(eq(webauthnChallenges.challengeHash, hashChallenge(challenge)))
		.returning({ purpose: webauthnChallenges.purpose, userId: webauthnChallenges.userId, expiresAt: webauthnChallenges.expiresAt });
	return !!row && row.purpose === ceremony && row.userId === userId && row.expiresAt > now;
}
