/**
 * The OAuth 2.0 grant types this provider implements (RFC 6749 §4.1, §4.4, §6), in one place:
 * discovery advertises them (`grant_types_supported`), registration accepts only them and the
 * token endpoint dispatches on them.
 */
export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;

export type GrantType = (typeof GRANT_TYPES)[number];

/** Whether `value` names a grant type we implement. */
export function isGrantType(value: unknown): value is GrantType {
	return (GRANT_TYPES as readonly unknown[]).includes(value);
}
