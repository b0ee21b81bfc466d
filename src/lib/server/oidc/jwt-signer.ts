import { SignJWT, type JWTPayload } from 'jose';
import type { ProtocolContext } from './context';
import type { SigningAlgorithm } from './keys';

/**
 * The JOSE `typ` of each kind of JWT we sign, which is what tells them apart to a verifier:
 * ID tokens and session JWTs `JWT`, access tokens `at+jwt` (RFC 9068 §2.1), logout tokens
 * `logout+jwt` (Back-Channel Logout 1.0 §2.4).
 */
export type JWTType = 'JWT' | 'at+jwt' | 'logout+jwt';

export interface JWTToSign {
	typ: JWTType;
	alg: SigningAlgorithm;
	lifetimeSeconds: number;
	subject: string;
	audience: string;
	jti?: string;
	/** The token's own claims; the registered ones (iss, sub, aud, iat, exp, jti) are set here. */
	claims: JWTPayload;
}

/**
 * Signs a JWT (RFC 7519) with the provider's current key for `alg`: sets `kid` and `typ` in
 * the header, and `iss`, `iat` (from the context's clock) and `exp` = `iat` + lifetime.
 */
export async function signJWT(ctx: Pick<ProtocolContext, 'issuer' | 'keys' | 'clock'>, jwt: JWTToSign): Promise<string> {
	const key = await ctx.keys.signingKey(jwt.alg);
	const iat = Math.floor(ctx.clock().getTime() / 1000);
	const signer = new SignJWT(jwt.claims)
		.setProtectedHeader({ alg: key.alg, kid: key.kid, typ: jwt.typ })
		.setIssuer(ctx.issuer)
		.setSubject(jwt.subject)
		.setAudience(jwt.audience)
		.setIssuedAt(iat)
		.setExpirationTime(iat + jwt.lifetimeSeconds);
	if (jwt.jti) signer.setJti(jwt.jti);
	return signer.sign(key.privateKey);
}
