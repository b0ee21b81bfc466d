import { sha256, sha384, sha512 } from '@oslojs/crypto/sha2';
import { encodeBase64urlNoPadding } from '@oslojs/encoding';
import { constantTimeEqual } from '@oslojs/crypto/subtle';

/**
 * OIDC Core §3.1.3.6 / §3.2.2.9 `at_hash`: base64url of the left half of the hash of the
 * access token's ASCII octets, with the hash of the ID token's `alg` (SHA-256 for RS256 and
 * ES256; SHA-512 for EdDSA with Ed25519, as OpenID Connect errata and the provider define it).
 */
export function accessTokenHash(accessToken: string, alg: string): string {
	const bytes = new TextEncoder().encode(accessToken);
	const digest = alg === 'EdDSA' || alg.endsWith('512') ? sha512(bytes) : alg.endsWith('384') ? sha384(bytes) : sha256(bytes);
	return encodeBase64urlNoPadding(digest.slice(0, digest.length / 2));
}

/** Whether the ID token's `at_hash` binds it to this access token (compared in constant time). */
export function atHashMatches(atHash: string, accessToken: string, alg: string): boolean {
	const expected = new TextEncoder().encode(accessTokenHash(accessToken, alg));
	const presented = new TextEncoder().encode(atHash);
	return expected.length === presented.length && constantTimeEqual(expected, presented);
}
