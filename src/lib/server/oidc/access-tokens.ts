import { errors, jwtVerify } from 'jose';
import type { Database } from '../db';
import { InvalidToken } from './errors';
import { findActiveGrant } from './grants';
import type { KeyStore } from './keys';
import { accessTokenAudience } from './tokens';

/**
 * Verifies one of our RFC 9068 access tokens and checks its grant is still in force.
 * An ID token is refused by its `typ` (RFC 9068 §4: `at+jwt` is what tells them apart).
 */
export async function verifyAccessToken(db: Database, keys: KeyStore, issuer: string, token: string, now = new Date()) {
	let payload;
	try {
		({ payload } = await jwtVerify(token, (header) => keys.verificationKey(header.kid).then((k) => k ?? Promise.reject(new InvalidToken())), {
			issuer,
			audience: accessTokenAudience(issuer),
			typ: 'at+jwt',
			currentDate: now
		}));
	} catch (error) {
		if (error instanceof InvalidToken || error instanceof errors.JOSEError || error instanceof TypeError) throw new InvalidToken();
		throw error;
	}
	const grantId = typeof payload.jti === 'string' ? payload.jti.split('.')[0] : undefined;
	const grant = grantId ? await findActiveGrant(db, grantId) : undefined;
	if (!grant || grant.user.id !== payload.sub) throw new InvalidToken('the access token has been revoked');
	const scope = typeof payload.scope === 'string' ? payload.scope : '';
	return { grant, scope, payload };
}

/** RFC 6750 §2.1: the token from `Authorization: Bearer ...`, or from a POST body (§2.2). */
export function bearerToken(authorization: string | null, body?: Map<string, string>): string {
	const fromHeader = authorization?.match(/^Bearer\s+([A-Za-z0-9\-._~+/]+=*)\s*$/i)?.[1];
	const fromBody = body?.get('access_token');
	if (fromHeader && fromBody) throw new InvalidToken('send the access token once');
	const token = fromHeader ?? fromBody;
	if (!token) throw new InvalidToken('an access token is required');
	return token;
}
