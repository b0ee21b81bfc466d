import type { User } from '../auth/user';
import { insertRefreshToken } from '../db/queries/refresh-tokens';
import { generateSecret, hashSecret } from '../secrets';
import { signAccessToken } from './access-tokens';
import type { Client } from './clients';
import { Scopes } from './scopes';
import { signIDToken, type AuthenticationEvent } from './id-tokens';
import type { TokenContext } from './token-policy';

/** RFC 6749 §5.1 successful token response. */
export interface TokenResponse {
	access_token: string;
	token_type: 'Bearer';
	expires_in: number;
	scope: string;
	id_token?: string;
	refresh_token?: string;
}

/** The grant (the user's authorization of a client) that tokens are issued under. */
export interface GrantForTokens extends AuthenticationEvent {
	id: string;
	scope: string;
}

/**
 * The tokens a user's grant yields (RFC 6749 §5.1, OIDC Core §3.1.3.3): an access token, an
 * ID token when `openid` is in scope, and a refresh token when asked for (`refreshToken` is
 * the rotated successor; a new grant gets a random one).
 */
export async function issueUserTokens(
	ctx: TokenContext,
	client: Client,
	grant: GrantForTokens,
	user: User,
	scope: string,
	options: { nonce: string | null; withRefreshToken: boolean; refreshToken?: string }
): Promise<TokenResponse> {
	const now = ctx.clock();
	// The jti carries the grant id, so a resource server asking us (UserInfo, introspection)
	// can check the grant is still in force without a table of access tokens.
	const { token: accessToken, expiresIn } = await signAccessToken(ctx, {
		subject: user.id,
		clientId: client.id,
		scope,
		sid: grant.sessionId,
		jti: `${grant.id}.${generateSecret(10)}`
	});
	const response: TokenResponse = { access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn, scope };
	if (Scopes.parse(scope).has('openid')) {
		response.id_token = await signIDToken(ctx, client, user, scope, grant, { accessToken, nonce: options.nonce });
	}
	if (options.withRefreshToken) {
		const refreshToken = options.refreshToken ?? generateSecret();
		await insertRefreshToken(ctx.db, {
			tokenHash: hashSecret(refreshToken),
			grantId: grant.id,
			createdAt: now,
			expiresAt: new Date(now.getTime() + ctx.tokenPolicy.refreshTokenSeconds * 1000)
		});
		response.refresh_token = refreshToken;
	}
	return response;
}
