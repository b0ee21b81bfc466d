import type { User } from '../auth/user';
import type { ProtocolContext } from './context';
import { signJWT } from './jwt-signer';

export const SESSION_JWT_TTL_SECONDS = 15 * 60;

export interface SessionForJWT {
	id: string;
	user: User;
}

/**
 * A short-lived JWT for the signed-in browser session, for first-party frontends to hand to
 * separate APIs. Signed by the same JWKS keys as every other token (RS256, with `kid`), so a
 * backend verifies it with any JWKS client; there is no shared-secret (HS256) path.
 * `aud` is the issuer, as in the guide's verification snippet; `typ` JWT tells it apart from
 * access tokens (`at+jwt`, audience UserInfo).
 */
export async function issueSessionJWT(ctx: ProtocolContext, session: SessionForJWT): Promise<{ token: string; expiresIn: number }> {
	const token = await signJWT(ctx, {
		typ: 'JWT',
		alg: 'RS256',
		lifetimeSeconds: SESSION_JWT_TTL_SECONDS,
		subject: session.user.id,
		audience: ctx.issuer,
		claims: { sid: session.id, email: session.user.email, email_verified: session.user.emailVerified, name: session.user.name }
	});
	return { token, expiresIn: SESSION_JWT_TTL_SECONDS };
}
