import { acrClaim, parseAmr } from '../auth/authentication-strength';
import type { User } from '../auth/user';
import type { Database } from '../db';
import { insertAuthorizationCode, markAuthorizationCodeConsumed, selectAuthorizationCodeGrant } from '../db/queries/authorization-codes';
import { insertGrant } from '../db/queries/grants';
import { generateSecret, hashSecret } from '../secrets';
import type { AuthorizationRequest, SignedInUser } from './authorize';
import { InvalidGrant } from './errors';
import { revokeGrant } from './grant-records';

/** RFC 6749 §4.1.2 recommends at most 10 minutes; the guide promises about 60 seconds. */
export const CODE_TTL_SECONDS = 60;

/**
 * Creates the grant and its single-use code in one statement; returns the code, which is
 * stored only as its SHA-256.
 */
export async function issueAuthorizationCode(db: Database, request: AuthorizationRequest, user: SignedInUser, now = new Date()): Promise<string> {
	const code = generateSecret();
	const grantId = generateSecret();
	const expiresAt = new Date(now.getTime() + CODE_TTL_SECONDS * 1000);
	// Two inserts, grant first (the code references it). Were the second to fail, the grant
	// would stay behind with no code and no tokens: harmless.
	await insertGrant(db, {
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
	await insertAuthorizationCode(db, {
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
	user: User;
}

/**
 * Marks a code used and returns what it was issued for. A code that was already used is a
 * replay: RFC 6749 §4.1.2 says the server SHOULD revoke the tokens issued from it, so the
 * grant is revoked before the request is refused.
 */
export async function consumeAuthorizationCode(db: Database, code: string, now = new Date()): Promise<RedeemedCode> {
	const codeHash = hashSecret(code);
	const redeemed = await markAuthorizationCodeConsumed(db, codeHash, now);
	if (!redeemed) {
		const usedGrantId = await selectAuthorizationCodeGrant(db, codeHash);
		if (usedGrantId) {
			await revokeGrant(db, usedGrantId, now);
			throw new InvalidGrant('the authorization code has already been used; tokens issued from it are revoked');
		}
		throw new InvalidGrant('the authorization code is invalid');
	}
	if (redeemed.expiresAt <= now) throw new InvalidGrant('the authorization code has expired');
	if (redeemed.revokedAt) throw new InvalidGrant('the authorization has been revoked');
	const { revokedAt: _, ...result } = redeemed;
	return result;
}
