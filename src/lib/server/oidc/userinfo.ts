import type { Database } from '../db';
import { verifyAccessToken } from './access-tokens';
import { userClaims } from './claims';
import type { KeyStore } from './keys';

/** OIDC Core §5.3: the claims the access token's scope releases, for its user. */
export async function userInfo(db: Database, keys: KeyStore, issuer: string, accessToken: string, now = new Date()) {
	const { grant, scope } = await verifyAccessToken(db, keys, issuer, accessToken, now);
	return userClaims(grant.user, scope);
}
