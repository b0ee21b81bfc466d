import { and, eq, gt, isNull, or, sql } from 'drizzle-orm';
import type { Database } from '../db';
import { initialAccessTokens } from '../db/schema';
import { generateSecret, hashSecret } from '../secrets';
import { InvalidToken } from './errors';
import { DEFAULT_GRANT_TYPES } from './grant-types';

/** What registering with an initial access token may get beyond open registration (RFC 7591 §3). */
export interface RegistrationPolicy {
	/** Grant types the new client may register. */
	grantTypes: string[];
	/** API scopes it may be allowed (a subset can be asked for with the `scope` metadata). */
	scopes: string[];
	/** Resource servers it may be allowed. */
	resources: string[];
}

/** Open registration: the user-facing grants only (the defaults), no API access (issue #6, finding 2). */
export const OPEN_REGISTRATION_POLICY: RegistrationPolicy = { grantTypes: [...DEFAULT_GRANT_TYPES], scopes: [], resources: [] };

export interface NewInitialAccessToken {
	description: string;
	grantTypes?: string[];
	scopes?: string[];
	resources?: string[];
	/** How many registrations it allows; unlimited when omitted. */
	uses?: number;
	expiresAt?: Date;
}

/** Creates an initial access token; the plain value is returned once, only its hash is stored. */
export async function createInitialAccessToken(db: Database, input: NewInitialAccessToken, now = new Date()): Promise<string> {
	const token = generateSecret(32);
	await db.insert(initialAccessTokens).values({
		tokenHash: hashSecret(token),
		description: input.description,
		allowedGrantTypes: input.grantTypes ?? [],
		allowedScopes: input.scopes ?? [],
		allowedResources: input.resources ?? [],
		usesLeft: input.uses ?? null,
		expiresAt: input.expiresAt ?? null,
		createdAt: now
	});
	return token;
}

function usable(now: Date) {
	return and(
		or(isNull(initialAccessTokens.usesLeft), gt(initialAccessTokens.usesLeft, 0)),
		or(isNull(initialAccessTokens.expiresAt), gt(initialAccessTokens.expiresAt, now))
	);
}

/** The policy an initial access token grants, if it is known, unexpired and not used up. */
export async function findInitialAccessToken(db: Database, token: string, now = new Date()): Promise<RegistrationPolicy> {
	const [row] = await db
		.select()
		.from(initialAccessTokens)
		.where(and(eq(initialAccessTokens.tokenHash, hashSecret(token)), usable(now)))
		.limit(1);
	// RFC 7591 §3: an invalid initial access token is answered like a bad bearer token (RFC 6750).
	if (!row) throw new InvalidToken('the initial access token is invalid, expired or used up');
	const grantTypes = [...new Set([...OPEN_REGISTRATION_POLICY.grantTypes, ...row.allowedGrantTypes])];
	return { grantTypes, scopes: row.allowedScopes, resources: row.allowedResources };
}

/**
 * Takes one use of the token, atomically (one UPDATE ... RETURNING), so parallel registrations
 * cannot make more clients than it allows (ARCHITECTURE.md: limits are reserved atomically).
 */
export async function spendInitialAccessToken(db: Database, token: string, now = new Date()): Promise<void> {
	const spent = await db
		.update(initialAccessTokens)
		.set({ usesLeft: sql`${initialAccessTokens.usesLeft} - 1` })
		.where(and(eq(initialAccessTokens.tokenHash, hashSecret(token)), usable(now)))
		.returning({ tokenHash: initialAccessTokens.tokenHash });
	if (spent.length === 0) throw new InvalidToken('the initial access token is invalid, expired or used up');
}

export async function listInitialAccessTokens(db: Database) {
	return db.select().from(initialAccessTokens).orderBy(initialAccessTokens.createdAt);
}
