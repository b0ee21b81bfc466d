import type { ProtocolContext } from './context';

/** How long the tokens the token endpoint issues live, and how lenient refresh rotation is. */
export interface TokenPolicy {
	accessTokenSeconds: number;
	idTokenSeconds: number;
	refreshTokenSeconds: number;
	/**
	 * How long a rotated refresh token is still answered with its (one) successor
	 * (REFRESH_TOKEN_REUSE_GRACE_SECONDS); 0 means never (RFC 9700 §4.14.2).
	 */
	refreshReuseGraceSeconds: number;
}

export const DEFAULT_TOKEN_POLICY: TokenPolicy = {
	accessTokenSeconds: 3600,
	idTokenSeconds: 3600,
	refreshTokenSeconds: 30 * 24 * 3600,
	refreshReuseGraceSeconds: 0
};

/** What the token endpoint needs: the protocol context and the token policy. */
export interface TokenContext extends ProtocolContext {
	tokenPolicy: TokenPolicy;
}
