import type { User } from '../auth/user';
import { Scopes } from './scopes';

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
	const requested = Scopes.parse(scope);
	if (!requested.has('openid')) return null;
	return SUPPORTED_SCOPES.filter((s) => requested.has(s));
}

/** OIDC Core §5.4: the user's claims released by the scopes, `sub` always included. */
export function userClaims(user: User, scope: Scopes | string): Record<string, unknown> {
	const scopes = Scopes.from(scope);
	const claims: Record<string, unknown> = { sub: user.id };
	if (scopes.has('profile')) claims.name = user.name;
	if (scopes.has('email')) {
		claims.email = user.email;
		claims.email_verified = user.emailVerified;
	}
	return claims;
}
