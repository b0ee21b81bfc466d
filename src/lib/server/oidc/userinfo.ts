import type { Database } from '../db';
import { verifyAccessToken } from './access-tokens';
import { userClaims } from './claims';
import { InvalidToken } from './errors';
import type { KeyStore } from './keys';
import { Scopes } from './scopes';

/** OIDC Core §5.3: the claims the access token's scope releases, for its user. */
export async function userInfo(db: Database, keys: KeyStore, issuer: string, accessToken: string, now = new Date()) {
	const verified = await verifyAccessToken(db, keys, issuer, accessToken, now);
	const scopes = Scopes.parse(verified.scope);
	if (verified.kind !== 'user' || !scopes.has('openid')) {
		throw new InvalidToken('this access token was not issued for a user with the openid scope');
	}
	return userClaims(verified.grant.user, scopes);
}
