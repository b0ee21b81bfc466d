import { sha256, sha512 } from '@oslojs/crypto/sha2';
import { encodeBase64urlNoPadding } from '@oslojs/encoding';
import { sql } from 'drizzle-orm';
import { preparedQuery } from '../db/prepared';
import { SignJWT } from 'jose';
import { acrOf, parseAmr } from '../auth/authentication-strength';
import type { Database } from '../db';
import { refreshTokens } from '../db/schema';
import { generateSecret, hashSecret } from '../secrets';
import { userClaims, type ClaimSource } from './claims';
import { authenticateClient, type Client } from './clients';
import { consumeAuthorizationCode } from './codes';
import { InvalidGrant, InvalidRequest, InvalidScope, UnauthorizedClient, UnsupportedGrantType } from './errors';
import { findRefreshToken } from './token-lookup';
import { claimRotation, refreshTokenSuccessor, rotationTime, withinReuseGrace } from './refresh-rotation';
import { accessTokenAudience, CLIENT_TOKEN_JTI_PREFIX } from './access-tokens';
import { revokeGrant } from './grants';
import type { KeyStore, SigningAlgorithm } from './keys';
import { verifierMatchesChallenge } from './pkce';
import { resolveResourceGrant } from './resource-access';

export interface TokenSettings {
	db: Database;
	keys: KeyStore;
	issuer: string;
	now?: () => Date;
	accessTokenTTLSeconds?: number;
	idTokenTTLSeconds?: number;
	refreshTokenTTLSeconds?: number;
	/** How long a rotated refresh token is still answered with its (one) successor; default 0. */
	refreshReuseGraceSeconds?: number;
}

/** RFC 6749 §5.1 successful token response. */
export interface TokenResponse {
	access_token: string;
	token_type: 'Bearer';
	expires_in: number;
	scope: string;
	id_token?: string;
	refresh_token?: string;
}


/**
 * The token endpoint (RFC 6749 §3.2), as a pipeline in spec order: parse, authenticate the
 * client, then validate and redeem the grant.
 */
export async function handleTokenRequest(settings: TokenSettings, authorization: string | null, params: Map<string, string>): Promise<TokenResponse> {
	const grantType = params.get('grant_type');
	if (!grantType) throw new InvalidRequest('grant_type is required');
	const client = await authenticateClient(settings.db, authorization, params);
	if (!GRANT_TYPES.includes(grantType)) throw new UnsupportedGrantType(grantType);
	// RFC 7591 §2: a client uses only the grant types it registered.
	if (!client.grantTypes.includes(grantType)) throw new UnauthorizedClient(`this client is not registered for grant_type "${grantType}"`);
	switch (grantType) {
		case 'authorization_code':
			return exchangeAuthorizationCode(settings, client, params);
		case 'refresh_token':
			return exchangeRefreshToken(settings, client, params);
		default:
			return issueClientCredentialsToken(settings, client, params);
	}
}

export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'];

/**
 * RFC 6749 §4.4: a confidential client acting for itself. The token names the client as
 * `sub` and is for one API (RFC 8707): its `aud` is that resource server, its scopes only
 * those an operator allowed the client (resource-access.ts).
 */
async function issueClientCredentialsToken(settings: TokenSettings, client: Client, params: Map<string, string>): Promise<TokenResponse> {
	if (client.tokenEndpointAuthMethod === 'none') throw new UnauthorizedClient('public clients cannot use client_credentials');
	const { audience, scope } = await resolveResourceGrant(settings.db, client, params);
	const { token, expiresIn } = await signAccessToken(settings, settings.now?.() ?? new Date(), {
		subject: client.id,
		clientId: client.id,
		scope,
		audience,
		jti: `${CLIENT_TOKEN_JTI_PREFIX}${generateSecret()}`
	});
	return { access_token: token, token_type: 'Bearer', expires_in: expiresIn, scope };
}

/**
 * RFC 9068 access token: `typ: at+jwt`, RS256 (every resource server has it); the audience is
 * the UserInfo resource for user tokens, the API's identifier for client_credentials tokens.
 */
async function signAccessToken(
	settings: TokenSettings,
	now: Date,
	claims: { subject: string; clientId: string; scope: string; jti: string; sid?: string; audience?: string }
): Promise<{ token: string; expiresIn: number }> {
	const key = await settings.keys.signingKey('RS256');
	const iat = Math.floor(now.getTime() / 1000);
	const expiresIn = settings.accessTokenTTLSeconds ?? 3600;
	const token = await new SignJWT({ client_id: claims.clientId, scope: claims.scope, ...(claims.sid ? { sid: claims.sid } : {}) })
		.setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
		.setIssuer(settings.issuer)
		.setSubject(claims.subject)
		.setAudience(claims.audience ?? accessTokenAudience(settings.issuer))
		.setIssuedAt(iat)
		.setExpirationTime(iat + expiresIn)
		.setJti(claims.jti)
		.sign(key.privateKey);
	return { token, expiresIn };
}

/** RFC 6749 §4.1.3 with RFC 7636 §4.6 (PKCE) and OIDC Core §3.1.3. */
async function exchangeAuthorizationCode(settings: TokenSettings, client: Client, params: Map<string, string>): Promise<TokenResponse> {
	const now = settings.now?.() ?? new Date();
	const code = params.get('code');
	if (!code) throw new InvalidRequest('code is required');
	const redirectURI = params.get('redirect_uri');
	const verifier = params.get('code_verifier');
	const redeemed = await consumeAuthorizationCode(settings.db, code, now);
	const refuse = async (description: string) => {
		// A code used wrongly may be a stolen one: nothing issued from it should survive.
		await revokeGrant(settings.db, redeemed.grantId, now);
		return new InvalidGrant(description);
	};
	if (redeemed.clientId !== client.id) throw await refuse('the authorization code was issued to another client');
	if (redirectURI !== redeemed.redirectURI) throw await refuse('redirect_uri does not match the authorization request');
	if (redeemed.codeChallenge) {
		if (!verifier) throw await refuse('code_verifier is required');
		if (!verifierMatchesChallenge(verifier, redeemed.codeChallenge)) throw await refuse('code_verifier does not match the code_challenge');
	} else if (verifier) {
		// RFC 9700 §4.8.2: a verifier without a challenge is a PKCE downgrade attempt.
		throw await refuse('code_verifier was sent but the authorization request had no code_challenge');
	}
	const grant = { id: redeemed.grantId, scope: redeemed.scope, authTime: redeemed.authTime, amr: redeemed.amr, acr: redeemed.acr, sessionId: redeemed.sessionId };
	return issueTokens(settings, client, grant, redeemed.user, grant.scope, now, { nonce: redeemed.nonce, withRefreshToken: offersRefresh(client, grant.scope) });
}

/** Refresh tokens go to first-party clients and to clients granted `offline_access` (OIDC Core §11). */
function offersRefresh(client: Client, scope: string): boolean {
	if (!client.grantTypes.includes('refresh_token')) return false;
	return client.trusted || scope.split(' ').includes('offline_access');
}

/**
 * RFC 6749 §6 with rotation (RFC 9700 §4.14.2): each refresh token has exactly one successor
 * and works once. Presenting one that was already rotated means two parties hold it, so the
 * whole grant is revoked. The rotation is decided atomically (claimRotation), so of many
 * parallel redemptions one wins and the rest count as reuse. An operator may allow a short
 * grace window (refreshReuseGraceSeconds, default 0) in which the rotated token is answered
 * with the SAME successor again: a retry after a lost response, never a second branch.
 */
async function exchangeRefreshToken(settings: TokenSettings, client: Client, params: Map<string, string>): Promise<TokenResponse> {
	const now = settings.now?.() ?? new Date();
	const { db } = settings;
	const token = params.get('refresh_token');
	if (!token) throw new InvalidRequest('refresh_token is required');
	const row = await findRefreshToken(db, token);
	if (!row || row.grant.clientId !== client.id) throw new InvalidGrant('the refresh token is invalid');
	if (row.grant.revokedAt) throw new InvalidGrant('the refresh token has been revoked');
	if (row.expiresAt <= now) throw new InvalidGrant('the refresh token has expired');
	// Checked before rotating: a mistyped scope must not use the token up.
	const scope = narrowScope(row.grant.scope, params.get('scope'));
	if (!(await claimRotation(db, row.tokenHash, now))) {
		const rotatedAt = row.rotatedAt ?? (await rotationTime(db, row.tokenHash));
		if (!withinReuseGrace(rotatedAt, now, settings.refreshReuseGraceSeconds ?? 0)) {
			await revokeGrant(db, row.grant.id, now);
			throw new InvalidGrant('the refresh token was already used; the authorization has been revoked');
		}
	}
	const successor = await refreshTokenSuccessor(await settings.keys.refreshSuccessorKey, token);
	return issueTokens(settings, client, row.grant, row.user, scope, now, { nonce: null, withRefreshToken: true, refreshToken: successor });
}

/** RFC 6749 §6: the scope of a refresh may only narrow what the user granted. */
function narrowScope(granted: string, requested: string | undefined): string {
	if (requested === undefined) return granted;
	const grantedScopes = new Set(granted.split(' '));
	const narrowed = requested.split(' ').filter(Boolean);
	const extra = narrowed.find((s) => !grantedScopes.has(s));
	if (extra) throw new InvalidScope(`scope "${extra}" was not granted`);
	return narrowed.join(' ');
}

const insertRefreshToken = preparedQuery((db) =>
	db
		.insert(refreshTokens)
		.values({
			tokenHash: sql.placeholder('tokenHash'),
			grantId: sql.placeholder('grantId'),
			createdAt: sql.placeholder('createdAt'),
			expiresAt: sql.placeholder('expiresAt')
		})
		// A successor is derived, not random: a retry inside the grace window inserts it again.
		.onConflictDoNothing()
		.prepare('insert_refresh_token')
);

interface GrantForTokens {
	id: string;
	scope: string;
	authTime: Date;
	amr: string;
	/** Null for grants from before `acr` was recorded: derived from `amr` then. */
	acr: string | null;
	sessionId: string;
}

async function issueTokens(
	settings: TokenSettings,
	client: Client,
	grant: GrantForTokens,
	user: ClaimSource,
	scope: string,
	now: Date,
	options: { nonce: string | null; withRefreshToken: boolean; refreshToken?: string }
): Promise<TokenResponse> {
	// The ID token is signed with the algorithm the client registered (id_token_signed_response_alg).
	const idTokenKey = await settings.keys.signingKey(client.idTokenSignedResponseAlg);
	const iat = Math.floor(now.getTime() / 1000);
	const idTTL = settings.idTokenTTLSeconds ?? 3600;
	// The jti carries the grant id, so a resource server asking us (UserInfo, introspection)
	// can check the grant is still in force without a table of access tokens.
	const { token: accessToken, expiresIn } = await signAccessToken(settings, now, {
		subject: user.id,
		clientId: client.id,
		scope,
		sid: grant.sessionId,
		jti: `${grant.id}.${generateSecret(10)}`
	});
	const scopes = scope.split(' ');
	const response: TokenResponse = { access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn, scope };
	if (scopes.includes('openid')) {
		response.id_token = await new SignJWT({
			...userClaims(user, scope),
			auth_time: Math.floor(grant.authTime.getTime() / 1000),
			// OIDC Core §2 / RFC 8176: how the user authenticated (`pwd`, `fed`, ...).
			amr: grant.amr.split(' '),
			// OIDC Core §2: the class the authentication reached, as chosen at authorization.
			acr: grant.acr ?? acrOf(parseAmr(grant.amr)),
			...(options.nonce ? { nonce: options.nonce } : {}),
			at_hash: leftHalfHash(accessToken, idTokenKey.alg),
			sid: grant.sessionId
		})
			.setProtectedHeader({ alg: idTokenKey.alg, kid: idTokenKey.kid, typ: 'JWT' })
			.setIssuer(settings.issuer)
			.setSubject(user.id)
			.setAudience(client.id)
			.setIssuedAt(iat)
			.setExpirationTime(iat + idTTL)
			.sign(idTokenKey.privateKey);
	}
	if (options.withRefreshToken) {
		const refreshToken = options.refreshToken ?? generateSecret();
		await insertRefreshToken(settings.db).execute({
			tokenHash: hashSecret(refreshToken),
			grantId: grant.id,
			createdAt: now,
			expiresAt: new Date(now.getTime() + (settings.refreshTokenTTLSeconds ?? 30 * 24 * 3600) * 1000)
		});
		response.refresh_token = refreshToken;
	}
	return response;
}

/**
 * OIDC Core §3.1.3.6 `at_hash`: the left half of the token's hash, with the hash of the ID
 * token's algorithm: SHA-256 for RS256/ES256, SHA-512 for EdDSA with Ed25519.
 */
export function leftHalfHash(token: string, alg: SigningAlgorithm): string {
	const bytes = new TextEncoder().encode(token);
	const digest = alg === 'EdDSA' ? sha512(bytes) : sha256(bytes);
	return encodeBase64urlNoPadding(digest.subarray(0, digest.length / 2));
}

