import { and, eq, isNull, sql } from 'drizzle-orm';
import { acrClaim, parseAmr } from '../auth/authentication-strength';
import type { Database } from '../db';
import { preparedQuery } from '../db/prepared';
import { authorizationCodes, grants, users } from '../db/schema';
import { generateSecret, hashSecret } from '../secrets';
import type { AuthorizationRequest, SignedInUser } from './authorize';
import { InvalidGrant } from './errors';
import { revokeGrant } from './grants';

/** RFC 6749 §4.1.2 recommends at most 10 minutes; the guide promises about 60 seconds. */
export const CODE_TTL_SECONDS = 60;

/**
 * Creates the grant and its single-use code in one statement; returns the code, which is
 * stored only as its SHA-256.
 */
export async function issueAuthorizationCode(
	db: Database,
	request: AuthorizationRequest,
	user: SignedInUser,
	now = new Date()
): Promise<string> {
	const code = generateSecret();
	const grantId = generateSecret();
	const expiresAt = new Date(now.getTime() + CODE_TTL_SECONDS * 1000);
	// Two prepared inserts, grant first (the code references it). Were the second to fail, the
	// grant would stay behind with no code and no tokens: harmless.
	await insertGrant(db).execute({
		id: grantId,
		clientId: request.client.id,
		userId: user.userId,
		sessionId: user.sessionId,
		scope: request.scope,
		authTime: user.authTime,
		amr: user.amr,
		// OIDC Core §2 `acr`: fixed at authorization, so refreshed ID tokens keep it.
		acr: acrClaim(parseAmr(user.amr), request.acrValues),
		createdAt: now
	});
	await insertCode(db).execute({
		codeHash: hashSecret(code),
		grantId,
		redirectURI: request.redirectURI,
		nonce: request.nonce ?? null,
		codeChallenge: request.codeChallenge ?? null,
		codeChallengeMethod: request.codeChallenge ? 'S256' : null,
		expiresAt
	});
	return code;
}

/** What a consumed code stands for: the grant, its user and the request's bindings. */
export interface RedeemedCode {
	grantId: string;
	clientId: string;
	scope: string;
	sessionId: string;
	authTime: Date;
	amr: string;
	acr: string | null;
	redirectURI: string;
	nonce: string | null;
	codeChallenge: string | null;
	expiresAt: Date;
	user: { id: string; email: string; emailVerified: boolean; name: string };
}

const insertGrant = preparedQuery((db) =>
	db
		.insert(grants)
		.values({
			id: sql.placeholder('id'),
			clientId: sql.placeholder('clientId'),
			userId: sql.placeholder('userId'),
			sessionId: sql.placeholder('sessionId'),
			scope: sql.placeholder('scope'),
			authTime: sql.placeholder('authTime'),
			amr: sql.placeholder('amr'),
			acr: sql.placeholder('acr'),
			createdAt: sql.placeholder('createdAt')
		})
		.prepare('insert_grant')
);

const insertCode = preparedQuery((db) =>
	db
		.insert(authorizationCodes)
		.values({
			codeHash: sql.placeholder('codeHash'),
			grantId: sql.placeholder('grantId'),
			redirectURI: sql.placeholder('redirectURI'),
			nonce: sql.placeholder('nonce'),
			codeChallenge: sql.placeholder('codeChallenge'),
			codeChallengeMethod: sql.placeholder('codeChallengeMethod'),
			expiresAt: sql.placeholder('expiresAt')
		})
		.prepare('insert_authorization_code')
);

// One statement marks the code used (only if it was not) and returns its grant and user.
const consumeCode = preparedQuery((db) =>
	db
		.update(authorizationCodes)
		.set({ consumedAt: sql`${sql.placeholder('now')}::timestamptz` })
		.from(grants)
		.innerJoin(users, eq(users.id, grants.userId))
		.where(
			and(
				eq(authorizationCodes.codeHash, sql.placeholder('codeHash')),
				isNull(authorizationCodes.consumedAt),
				eq(grants.id, authorizationCodes.grantId)
			)
		)
		.returning({
			grantId: grants.id,
			clientId: grants.clientId,
			scope: grants.scope,
			sessionId: grants.sessionId,
			authTime: grants.authTime,
			amr: grants.amr,
			acr: grants.acr,
			revokedAt: grants.revokedAt,
			redirectURI: authorizationCodes.redirectURI,
			nonce: authorizationCodes.nonce,
			codeChallenge: authorizationCodes.codeChallenge,
			expiresAt: authorizationCodes.expiresAt,
			user: { id: users.id, email: users.email, emailVerified: users.emailVerified, name: users.name }
		})
		.prepare('consume_authorization_code')
);

/**
 * Marks a code used and returns what it was issued for. A code that was already used is a
 * replay: RFC 6749 §4.1.2 says the server SHOULD revoke the tokens issued from it, so the
 * grant is revoked before the request is refused.
 */
export async function consumeAuthorizationCode(db: Database, code: string, now = new Date()): Promise<RedeemedCode> {
	const codeHash = hashSecret(code);
	const [redeemed] = await consumeCode(db).execute({ codeHash, now: now.toISOString() });
	if (!redeemed) {
		const [used] = await db
			.select({ grantId: authorizationCodes.grantId })
			.from(authorizationCodes)
			.where(eq(authorizationCodes.codeHash, codeHash))
			.limit(1);
		if (used) {
			await revokeGrant(db, used.grantId, now);
			throw new InvalidGrant('the authorization code has already been used; tokens issued from it are revoked');
		}
		throw new InvalidGrant('the authorization code is invalid');
	}
	if (redeemed.expiresAt <= now) throw new InvalidGrant('the authorization code has expired');
	if (redeemed.revokedAt) throw new InvalidGrant('the authorization has been revoked');
	const { revokedAt: _, ...result } = redeemed;
	return result;
}
