import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Database } from '../db';
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
	// One round trip instead of two inserts in a transaction: the CTE is atomic.
	await db.execute(sql`
		with new_grant as (
			insert into ${grants} (id, client_id, user_id, session_id, scope, auth_time, created_at)
			values (${grantId}, ${request.client.id}, ${user.userId}, ${user.sessionId}, ${request.scope}, ${user.authTime.toISOString()}, ${now.toISOString()})
		)
		insert into ${authorizationCodes} (code_hash, grant_id, redirect_uri, nonce, code_challenge, code_challenge_method, expires_at)
		values (${hashSecret(code)}, ${grantId}, ${request.redirectURI}, ${request.nonce ?? null}, ${request.codeChallenge ?? null},
			${request.codeChallenge ? 'S256' : null}, ${expiresAt.toISOString()})`);
	return code;
}

/** What a consumed code stands for: the grant, its user and the request's bindings. */
export interface RedeemedCode {
	grantId: string;
	clientId: string;
	scope: string;
	sessionId: string;
	authTime: Date;
	redirectURI: string;
	nonce: string | null;
	codeChallenge: string | null;
	expiresAt: Date;
	user: { id: string; email: string; emailVerified: boolean; name: string };
}

/**
 * Marks a code used and returns what it was issued for. A code that was already used is a
 * replay: RFC 6749 §4.1.2 says the server SHOULD revoke the tokens issued from it, so the
 * grant is revoked before the request is refused.
 */
export async function consumeAuthorizationCode(db: Database, code: string, now = new Date()): Promise<RedeemedCode> {
	const codeHash = hashSecret(code);
	const [redeemed] = await db
		.update(authorizationCodes)
		.set({ consumedAt: now })
		.from(grants)
		.innerJoin(users, eq(users.id, grants.userId))
		.where(and(eq(authorizationCodes.codeHash, codeHash), isNull(authorizationCodes.consumedAt), eq(grants.id, authorizationCodes.grantId)))
		.returning({
			grantId: grants.id,
			clientId: grants.clientId,
			scope: grants.scope,
			sessionId: grants.sessionId,
			authTime: grants.authTime,
			revokedAt: grants.revokedAt,
			redirectURI: authorizationCodes.redirectURI,
			nonce: authorizationCodes.nonce,
			codeChallenge: authorizationCodes.codeChallenge,
			expiresAt: authorizationCodes.expiresAt,
			user: { id: users.id, email: users.email, emailVerified: users.emailVerified, name: users.name }
		});
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
