import { eq } from 'drizzle-orm';
import { errors, jwtVerify, type JWTPayload } from 'jose';
import { clients, revokedAccessTokens } from '../db/schema';
import type { ProtocolContext } from './context';
import { InvalidRequest, InvalidToken, MissingToken } from './errors';
import { findActiveGrant } from './grant-records';
import { signJWT } from './jwt-signer';
import type { TokenContext } from './token-policy';

/** The resource access tokens are for: this provider's UserInfo endpoint (RFC 9068 `aud`). */
export function accessTokenAudience(issuer: string): string {
	return `${issuer}/api/auth/userinfo`;
}

// client_credentials tokens act for a client, not a user; their jti says so.
export const CLIENT_TOKEN_JTI_PREFIX = 'cc.';

/**
 * RFC 9068 access token: `typ: at+jwt`, RS256 (every resource server has it); the audience is
 * the UserInfo resource for user tokens, the API's identifier for client_credentials tokens.
 */
export async function signAccessToken(
	ctx: TokenContext,
	token: { subject: string; clientId: string; scope: string; jti: string; sid?: string; audience?: string }
): Promise<{ token: string; expiresIn: number }> {
	const expiresIn = ctx.tokenPolicy.accessTokenSeconds;
	const signed = await signJWT(ctx, {
		typ: 'at+jwt',
		alg: 'RS256',
		lifetimeSeconds: expiresIn,
		subject: token.subject,
		audience: token.audience ?? accessTokenAudience(ctx.issuer),
		jti: token.jti,
		claims: { client_id: token.clientId, scope: token.scope, ...(token.sid ? { sid: token.sid } : {}) }
	});
	return { token: signed, expiresIn };
}

export type VerifiedAccessToken =
	| { kind: 'user'; payload: JWTPayload; scope: string; clientId: string; grant: NonNullable<Awaited<ReturnType<typeof findActiveGrant>>> }
	| { kind: 'client'; payload: JWTPayload; scope: string; clientId: string };

/**
 * Verifies one of our RFC 9068 access tokens and checks it is still in force (grant not
 * revoked, token not revoked, client still registered). An ID token or session JWT is refused
 * by its `typ` (RFC 9068 §4: `at+jwt` is what tells them apart). `audience` is the resource
 * the caller serves (RFC 9068 §4: a token for another API is refused), UserInfo by default;
 * null accepts any of ours (introspection and revocation describe every token we issued).
 */
export async function verifyAccessToken(
	ctx: ProtocolContext,
	token: string,
	audience: string | null = accessTokenAudience(ctx.issuer)
): Promise<VerifiedAccessToken> {
	const { db, keys, issuer } = ctx;
	let payload: JWTPayload;
	try {
		({ payload } = await jwtVerify(token, (header) => keys.verificationKey(header.kid).then((k) => k ?? Promise.reject(new InvalidToken())), {
			issuer,
			...(audience === null ? {} : { audience }),
			typ: 'at+jwt',
			currentDate: ctx.clock(),
			requiredClaims: ['sub', 'jti', 'client_id']
		}));
	} catch (error) {
		if (error instanceof InvalidToken || error instanceof errors.JOSEError || error instanceof TypeError) throw new InvalidToken();
		throw error;
	}
	const jti = String(payload.jti);
	const clientId = String(payload.client_id);
	const scope = typeof payload.scope === 'string' ? payload.scope : '';
	const [revoked] = await db.select({ jti: revokedAccessTokens.jti }).from(revokedAccessTokens).where(eq(revokedAccessTokens.jti, jti)).limit(1);
	if (revoked) throw new InvalidToken('the access token has been revoked');
	if (jti.startsWith(CLIENT_TOKEN_JTI_PREFIX)) {
		const [client] = await db.select({ id: clients.id }).from(clients).where(eq(clients.id, clientId)).limit(1);
		if (!client || payload.sub !== clientId) throw new InvalidToken('the client of this access token is no longer registered');
		return { kind: 'client', payload, scope, clientId };
	}
	const grant = await findActiveGrant(db, jti.split('.')[0]);
	if (!grant || grant.user.id !== payload.sub || grant.clientId !== clientId) throw new InvalidToken('the access token has been revoked');
	return { kind: 'user', payload, scope, clientId, grant };
}

/** RFC 6750 §2.1: the token from `Authorization: Bearer ...`, or from a POST body (§2.2). */
export function bearerToken(authorization: string | null, body?: Map<string, string>): string {
	const fromHeader = authorization?.match(/^Bearer\s+([A-Za-z0-9\-._~+/]+=*)\s*$/i)?.[1];
	const fromBody = body?.get('access_token');
	// RFC 6750 §2: a client must not use more than one method.
	if (fromHeader && fromBody) throw new InvalidRequest('send the access token by one method only');
	const token = fromHeader ?? fromBody;
	if (!token) throw new MissingToken();
	return token;
}

/** A Bearer token when the request carries an Authorization header, else undefined (a malformed one is invalid_token). */
export function optionalBearerToken(authorization: string | null): string | undefined {
	if (authorization === null) return undefined;
	const token = authorization.match(/^Bearer\s+([A-Za-z0-9\-._~+/]+=*)\s*$/i)?.[1];
	if (!token) throw new InvalidToken('send the initial access token as Authorization: Bearer <token>');
	return token;
}
