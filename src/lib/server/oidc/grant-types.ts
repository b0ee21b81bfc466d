/**
 * The OAuth 2.0 grant types this provider implements (RFC 6749 §4.1, §4.4, §6), in one place:
 * discovery advertises them (`grant_types_supported`), registration accepts only them and the
 * token endpoint dispatches on them.
 */
export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;

export type GrantType = (typeof GRANT_TYPES)[number];

/**
 * The grant types of a client whose registration names none (dynamic registration, the CLI,
 * the seed): the user-facing ones. RFC 7591 §2 defaults `grant_types` to `authorization_code`
 * alone; `refresh_token` is added on purpose, because a refresh token is only issued to a
 * trusted client or when the user grants `offline_access` (grants/authorization-code.ts), and
 * without it that scope would be granted and silently yield nothing. `client_credentials`
 * (API access with no user) is never a default: the operator allows it (issue #6, finding 2).
 * The clients table's column default (db/schema/clients.ts) repeats this list: the schema may
 * not import from oidc/.
 */
export const DEFAULT_GRANT_TYPES: readonly GrantType[] = ['authorization_code', 'refresh_token'];

/** Whether `value` names a grant type we implement. */
export function isGrantType(value: unknown): value is GrantType {
	return (GRANT_TYPES as readonly unknown[]).includes(value);
}
