import { describe, expect, it } from 'vitest';
import { SUPPORTED_SCOPES } from './claims';
import { discoveryDocument, ENDPOINTS } from './discovery';

describe('discoveryDocument (OpenID Connect Discovery 1.0 §3)', () => {
	const doc = discoveryDocument('https://op.example.com', { registration: true });

	it("the endpoints are the guide's paths under the issuer", () => {
		expect(doc.issuer).toBe('https://op.example.com');
		expect(doc.authorization_endpoint).toBe('https://op.example.com/api/auth/authorize');
		expect(doc.token_endpoint).toBe('https://op.example.com/api/auth/token');
		expect(doc.userinfo_endpoint).toBe('https://op.example.com/api/auth/userinfo');
		expect(doc.jwks_uri).toBe('https://op.example.com/api/auth/jwks');
		expect(Object.values(ENDPOINTS).every((p) => p.startsWith('/api/auth/'))).toBe(true);
	});

	it('advertises only what is implemented: code flow, S256, RS256 first, no request objects', () => {
		expect(doc.response_types_supported).toEqual(['code']);
		expect(doc.response_modes_supported).toEqual(['query']);
		expect(doc.code_challenge_methods_supported).toEqual(['S256']);
		expect(doc.id_token_signing_alg_values_supported).toEqual(['RS256', 'ES256', 'EdDSA']);
		expect(doc.request_parameter_supported).toBe(false);
		expect(doc.request_uri_parameter_supported).toBe(false);
		expect(doc.claims_parameter_supported).toBe(false);
		expect(doc.authorization_response_iss_parameter_supported).toBe(true);
		expect(doc.scopes_supported).toEqual(SUPPORTED_SCOPES);
		expect(doc.grant_types_supported).toEqual(['authorization_code', 'refresh_token', 'client_credentials']);
	});

	it('advertises registration only when it is switched on', () => {
		expect(doc.registration_endpoint).toBe('https://op.example.com/api/auth/register');
		expect(discoveryDocument('https://op.example.com', { registration: false })).not.toHaveProperty('registration_endpoint');
	});

	it('has the members Discovery §3 requires', () => {
		for (const key of [
			'issuer',
			'authorization_endpoint',
			'jwks_uri',
			'response_types_supported',
			'subject_types_supported',
			'id_token_signing_alg_values_supported'
		]) {
			expect(doc, key).toHaveProperty(key);
		}
	});
});
