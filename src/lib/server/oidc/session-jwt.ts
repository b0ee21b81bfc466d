import { SignJWT } from 'jose';
import type { KeyStore } from './keys';

export const SESSION_JWT_TTL_SECONDS = 15 * 60;

export interface SessionForJWT {
	id: string;
	user: { id: string; email: string; emailVerified: boolean; name: string };
}

/**
 * A short-lived JWT for the signed-in browser session, for first-party frontends to hand to
 * separate APIs. Signed by the same JWKS keys as every other token (RS256, with `kid`), so a
 * backend verifies it with any JWKS client; there is no shared-secret (HS256) path.
 * `aud` is the issuer, as in the guide's verification snippet; `typ` JWT tells it apart from
 * access tokens (`at+jwt`, audience UserInfo).
 */
export async function issueSessionJWT(keys: KeyStore, issuer: string, session: SessionForJWT, now = new Date()): Promise<{ token: string; expiresIn: number }> {
	const key = await keys.signingKey('RS256');
	const iat = Math.floor(now.getTime() / 1000);
	const token = await new SignJWT({ sid: session.id, email: session.user.email, email_verified: session.user.emailVerified, name: session.user.name })
		.setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
		.setIssuer(issuer)
		.setAudience(issuer)
		.setSubject(session.user.id)
		.setIssuedAt(iat)
		.setExpirationTime(iat + SESSION_JWT_TTL_SECONDS)
		.sign(key.privateKey);
	return { token, expiresIn: SESSION_JWT_TTL_SECONDS };
}
