import type { Database } from '../db';
import { verifyAccessToken } from './access-tokens';
import { userClaims } from './claims';
import { InvalidToken } from './errors';
import type { KeyStore } from './keys';

/** OIDC Core §5.3: the claims the access token's scope releases, for its user. */
export async function userInfo(db: Database, keys: KeyStore, issuer: string, accessToken: string, now = new Date()) {
	const verified = await verifyAccessToken(db, keys, issuer, accessToken, now);
	if (verified.kind !== 'user' || !verified.scope.split(' ').includes('openid')) {
		throw new InvalidToken('this access token was not issued for a user with the openid scope');
	}
	return userClaims(verified.grant.user, verified.scope);
}
