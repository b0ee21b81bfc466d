import { verifyAccessToken } from './access-tokens';
import { userClaims } from './claims';
import type { ProtocolContext } from './context';
import { InvalidToken } from './errors';

/** OIDC Core §5.3: the claims the access token's scope releases, for its user. */
export async function userInfo(ctx: ProtocolContext, accessToken: string) {
	const verified = await verifyAccessToken(ctx, accessToken);
	if (verified.kind !== 'user' || !verified.scope.split(' ').includes('openid')) {
		throw new InvalidToken('this access token was not issued for a user with the openid scope');
	}
	return userClaims(verified.grant.user, verified.scope);
}
