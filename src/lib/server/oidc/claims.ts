/** What the provider knows about a user that claims are made from. */
export interface ClaimSource {
	id: string;
	email: string;
	emailVerified: boolean;
	name: string;
}

/** OIDC Core §5.4: which standard claims each scope releases. */
export const SCOPE_CLAIMS = {
	openid: ['sub'],
	profile: ['name'],
	email: ['email', 'email_verified'],
	// OIDC Core §11: asks for a refresh token; releases no claims.
	offline_access: []
} as const;

export const SUPPORTED_SCOPES = Object.keys(SCOPE_CLAIMS);

export const SUPPORTED_CLAIMS = [
	'sub',
	'iss',
	'aud',
	'exp',
	'iat',
	'auth_time',
	'amr',
	'acr',
	'nonce',
	'at_hash',
	'sid',
	...new Set(Object.values(SCOPE_CLAIMS).flat())
];

/**
 * OIDC Core §3.1.2.1: scopes the provider does not know are ignored, not errors.
 * Returns the known scopes in a stable order, or null when `openid` is missing.
 */
export function parseScope(scope: string | undefined): string[] | null {
	const requested = new Set((scope ?? '').split(' ').filter(Boolean));
	if (!requested.has('openid')) return null;
	return SUPPORTED_SCOPES.filter((s) => requested.has(s));
}

/** The user's claims released by `scope` (space-separated), `sub` always included. */
export function userClaims(user: ClaimSource, scope: string): Record<string, unknown> {
	const scopes = new Set(scope.split(' '));
	const claims: Record<string, unknown> = { sub: user.id };
	if (scopes.has('profile')) claims.name = user.name;
	if (scopes.has('email')) {
		claims.email = user.email;
		claims.email_verified = user.emailVerified;
	}
	return claims;
}
