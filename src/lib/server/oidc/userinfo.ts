import { verifyAccessToken } from './access-tokens';
import { userClaims } from './claims';
import type { ProtocolContext } from './context';
import { InvalidToken } from './errors';
import { Scopes } from './scopes';

/** OIDC Core §5.3: the claims the access token's scope releases, for its user. */
export async function userInfo(ctx: ProtocolContext, accessToken: string) {
	const verified = await verifyAccessToken(ctx, accessToken);
	const scopes = Scopes.parse(verified.scope);
	if (verified.kind !== 'user' || !scopes.has('openid')) {
		throw new InvalidToken('this access token was not issued for a user with the openid scope');
	}
	return userClaims(verified.grant.user, scopes);
}
