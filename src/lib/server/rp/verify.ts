import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';

const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

/** The provider's published keys, fetched over HTTP and cached by jose (refetched on an unknown `kid`). */
function remoteKeySet(jwksURI: string) {
	let set = keySets.get(jwksURI);
	if (!set) {
		set = createRemoteJWKSet(new URL(jwksURI));
		keySets.set(jwksURI, set);
	}
	return set;
}

export interface ExpectedIDToken {
	issuer: string;
	clientId: string;
	jwksURI: string;
	nonce: string;
}

/**
 * OIDC Core §3.1.3.7 ID token validation, as a relying party does it: signature through the
 * provider's JWKS only, pinned `iss` and `aud`, `exp`/`iat`, and the `nonce` we sent.
 */
export async function verifyIDToken(idToken: string, expected: ExpectedIDToken): Promise<JWTPayload> {
	const { payload } = await jwtVerify(idToken, remoteKeySet(expected.jwksURI), {
		issuer: expected.issuer,
		audience: expected.clientId,
		algorithms: ['RS256', 'ES256', 'EdDSA'],
		requiredClaims: ['sub', 'iat', 'exp', 'nonce']
	});
	if (payload.nonce !== expected.nonce) throw new Error('the ID token nonce does not match this sign-in');
	// §3.1.3.7 rule 4-5: with several audiences, `azp` must name us.
	if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== expected.clientId) {
		throw new Error('the ID token was issued for another client');
	}
	return payload;
}

/**
 * How any backend verifies a provider session JWT: JWKS signature, `iss`, `aud` (the
 * issuer) and `typ: JWT`, which an access token (`at+jwt`) does not have.
 */
export async function verifySessionJWT(token: string, expected: { issuer: string; jwksURI: string }): Promise<JWTPayload> {
	const { payload } = await jwtVerify(token, remoteKeySet(expected.jwksURI), {
		issuer: expected.issuer,
		audience: expected.issuer,
		typ: 'JWT',
		algorithms: ['RS256', 'ES256', 'EdDSA'],
		requiredClaims: ['sub', 'exp']
	});
	return payload;
}

const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/**
 * Back-Channel Logout 1.0 §2.6 logout token validation: JWKS signature, `iss`, `aud`,
 * `iat`, `typ: logout+jwt`, the logout event, `sid` or `sub`, and no `nonce`.
 */
export async function verifyLogoutToken(
	token: string,
	expected: { issuer: string; clientId: string; jwksURI: string }
): Promise<{ sid?: string; sub?: string; jti: string; expiresAt: Date }> {
	const { payload } = await jwtVerify(token, remoteKeySet(expected.jwksURI), {
		issuer: expected.issuer,
		audience: expected.clientId,
		typ: 'logout+jwt',
		algorithms: ['RS256', 'ES256', 'EdDSA'],
		requiredClaims: ['iat', 'exp', 'jti', 'events'],
		maxTokenAge: '5 minutes'
	});
	const events = payload.events;
	if (typeof events !== 'object' || events === null || !(LOGOUT_EVENT in events)) throw new Error('not a logout token: the logout event is missing');
	if ('nonce' in payload) throw new Error('a logout token must not contain a nonce');
	const sid = typeof payload.sid === 'string' ? payload.sid : undefined;
	const sub = typeof payload.sub === 'string' ? payload.sub : undefined;
	if (!sid && !sub) throw new Error('a logout token must contain sid or sub');
	if (typeof payload.jti !== 'string' || !payload.jti) throw new Error('a logout token must contain a jti');
	return { sid, sub, jti: payload.jti, expiresAt: new Date(payload.exp! * 1000) };
}
