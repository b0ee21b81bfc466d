import { and, eq } from 'drizzle-orm';
import type { Database } from '../db';
import { oneTimeTokens } from '../db/schema';
import { generateSecret, hashSecret, isSessionTokenFormat, secretMatchesHash } from '../secrets';

export type OneTimeTokenPurpose = 'sign-up' | 'reset-password' | 'change-email' | 'link-upstream' | 'second-factor';

export interface OneTimeToken {
	id: string;
	purpose: OneTimeTokenPurpose;
	userId: string | null;
	email: string;
	payload: unknown;
	expiresAt: Date;
}

export interface NewOneTimeToken {
	purpose: OneTimeTokenPurpose;
	userId?: string | null;
	email: string;
	payload?: unknown;
	ttlSeconds: number;
}

/**
 * Stores a single-use token and returns it as `id.secret` (the only copy of the secret: it goes
 * into the link or cookie, the table keeps its SHA-256).
 */
export async function issueOneTimeToken(db: Database, token: NewOneTimeToken, now = new Date()): Promise<string> {
	const id = generateSecret();
	const secret = generateSecret();
	await db.insert(oneTimeTokens).values({
		id,
		secretHash: hashSecret(secret),
		purpose: token.purpose,
		userId: token.userId ?? null,
		email: token.email,
		payload: token.payload ?? null,
		createdAt: now,
		expiresAt: new Date(now.getTime() + token.ttlSeconds * 1000)
	});
	return `${id}.${secret}`;
}

/** The token a link carries, if it is genuine, unused, unexpired and for this purpose; it stays usable. */
export async function findOneTimeToken(db: Database, token: unknown, purpose: OneTimeTokenPurpose, now = new Date()): Promise<OneTimeToken | null> {
	if (typeof token !== 'string' || !isSessionTokenFormat(token)) return null;
	const [id, secret] = token.split('.');
	const [row] = await db
		.select()
		.from(oneTimeTokens)
		.where(and(eq(oneTimeTokens.id, id), eq(oneTimeTokens.purpose, purpose)))
		.limit(1);
	if (!row || !secretMatchesHash(secret, row.secretHash) || row.expiresAt <= now) return null;
	const { secretHash: _, createdAt: __, ...found } = row;
	return { ...found, purpose };
}

/**
 * Uses the token up: of any number of parallel uses, exactly one gets it (the one whose
 * DELETE removed the row), so a link works once however often it is clicked.
 */
export async function consumeOneTimeToken(db: Database, token: unknown, purpose: OneTimeTokenPurpose, now = new Date()): Promise<OneTimeToken | null> {
	const found = await findOneTimeToken(db, token, purpose, now);
	if (!found) return null;
	const deleted = await db.delete(oneTimeTokens).where(eq(oneTimeTokens.id, found.id)).returning({ id: oneTimeTokens.id });
	return deleted.length === 1 ? found : null;
}

/** Withdraws every outstanding token of a purpose for a user (a newer link replaces older ones). */
export async function revokeOneTimeTokens(db: Database, userId: string, purpose: OneTimeTokenPurpose): Promise<void> {
	await db.delete(oneTimeTokens).where(and(eq(oneTimeTokens.userId, userId), eq(oneTimeTokens.purpose, purpose)));
}
