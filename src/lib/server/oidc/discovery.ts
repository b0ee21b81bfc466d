import { ACR_VALUES_SUPPORTED } from '../auth/authentication-strength';
import { SUPPORTED_CLAIMS, SUPPORTED_SCOPES } from './claims';
import { SIGNING_ALGORITHMS } from './keys';
import { GRANT_TYPES } from './grant-types';

/** The provider's endpoint paths, relative to the issuer. */
export const ENDPOINTS = {
	authorization: '/api/auth/authorize',
	token: '/api/auth/token',
	userinfo: '/api/auth/userinfo',
	jwks: '/api/auth/jwks',
	endSession: '/api/auth/end-session',
	introspection: '/api/auth/introspect',
	revocation: '/api/auth/revoke',
	registration: '/api/auth/register'
} as const;

/**
 * OpenID Connect Discovery 1.0 §3 metadata. It lists only what this provider implements:
 * a client that trusts it must never be led to a feature that is not there.
 */
export function discoveryDocument(issuer: string, options: { registration: boolean }) {
	return {
		issuer,
		authorization_endpoint: issuer + ENDPOINTS.authorization,
		token_endpoint: issuer + ENDPOINTS.token,
		userinfo_endpoint: issuer + ENDPOINTS.userinfo,
		jwks_uri: issuer + ENDPOINTS.jwks,
		end_session_endpoint: issuer + ENDPOINTS.endSession,
		introspection_endpoint: issuer + ENDPOINTS.introspection,
		revocation_endpoint: issuer + ENDPOINTS.revocation,
		...(options.registration ? { registration_endpoint: issuer + ENDPOINTS.registration } : {}),
		scopes_supported: SUPPORTED_SCOPES,
		response_types_supported: ['code'],
		response_modes_supported: ['query'],
		grant_types_supported: GRANT_TYPES,
		subject_types_supported: ['public'],
		id_token_signing_alg_values_supported: [...SIGNING_ALGORITHMS],
		token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
		introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
		revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
		code_challenge_methods_supported: ['S256'],
		claims_supported: SUPPORTED_CLAIMS,
		// OIDC Discovery §3: the classes `acr_values` may ask for (auth/authentication-strength.ts).
		acr_values_supported: ACR_VALUES_SUPPORTED,
		prompt_values_supported: ['none', 'login', 'consent'],
		claims_parameter_supported: false,
		request_parameter_supported: false,
		request_uri_parameter_supported: false,
		authorization_response_iss_parameter_supported: true,
		backchannel_logout_supported: true,
		backchannel_logout_session_supported: true
	};
}
