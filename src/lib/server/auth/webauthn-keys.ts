// The credential public keys a passkey may have, and checking a signature with one. Only the
// two algorithms the registration options offer (WebAuthn §5.3 pubKeyCredParams): ES256, which
// every platform authenticator supports, and RS256 for Windows Hello's older TPM keys.
import { decodePKIXECDSASignature, ECDSAPublicKey, p256, verifyECDSASignature } from '@oslojs/crypto/ecdsa';
import { RSAPublicKey, sha256ObjectIdentifier, verifyRSASSAPKCS1v15Signature } from '@oslojs/crypto/rsa';
import { sha256 } from '@oslojs/crypto/sha2';
import { coseAlgorithmES256, coseAlgorithmRS256, coseEllipticCurveP256, COSEKeyType, type COSEPublicKey } from '@oslojs/webauthn';
// Not re-exported by the package's index; the package has no "exports" map and is pinned (1.0.0).
import { decodeCOSEPublicKey } from '@oslojs/webauthn/dist/cose.js';

/** COSE algorithm identifiers (RFC 9053 §2.1, RFC 8812 §2) in the order the options prefer them. */
export const SUPPORTED_ALGORITHMS = [coseAlgorithmES256, coseAlgorithmRS256] as const;

export type SupportedAlgorithm = (typeof SUPPORTED_ALGORITHMS)[number];

/** A public key we can verify with, and the exact COSE_Key bytes to store for it. */
export interface CredentialPublicKey {
	algorithm: SupportedAlgorithm;
	/** The COSE_Key (RFC 9052 §7) as the authenticator encoded it, without what follows it. */
	encoded: Uint8Array;
}

/**
 * Reads the COSE_Key at the start of `bytes` (attested credential data continues with extension
 * outputs after it) and accepts it only as a P-256 ES256 key or an RS256 key: WebAuthn §7.1,
 * "verify that the alg parameter in the credential public key matches the alg attribute of one of
 * the items in options.pubKeyCredParams". Null for anything else or anything unreadable.
 */
export function readCredentialPublicKey(bytes: Uint8Array): CredentialPublicKey | null {
	try {
		const [key, size] = decodeCOSEPublicKey(bytes);
		const algorithm = supportedAlgorithmOf(key);
		return algorithm === null ? null : { algorithm, encoded: bytes.slice(0, size) };
	} catch {
		return null;
	}
}

function supportedAlgorithmOf(key: COSEPublicKey): SupportedAlgorithm | null {
	if (!key.isAlgorithmDefined()) return null;
	const algorithm = key.algorithm();
	if (algorithm === coseAlgorithmES256 && key.type() === COSEKeyType.EC2 && key.ec2().curve === coseEllipticCurveP256) return algorithm;
	if (algorithm === coseAlgorithmRS256 && key.type() === COSEKeyType.RSA) {
		key.rsa();
		return algorithm;
	}
	return null;
}

/**
 * Whether `signature` is the credential's signature over `message` (for an assertion:
 * authenticatorData || SHA-256(clientDataJSON), WebAuthn §7.2). ES256 signatures come
 * DER-encoded (§6.5.5), RS256 as RSASSA-PKCS1-v1_5 (RFC 8017 §8.2). False for anything
 * malformed, never an exception.
 */
export function verifyCredentialSignature(storedKey: Uint8Array, algorithm: number, message: Uint8Array, signature: Uint8Array): boolean {
	try {
		const [key] = decodeCOSEPublicKey(storedKey);
		if (supportedAlgorithmOf(key) !== algorithm) return false;
		const hash = sha256(message);
		if (algorithm === coseAlgorithmES256) {
			const { x, y } = key.ec2();
			return verifyECDSASignature(new ECDSAPublicKey(p256, x, y), hash, decodePKIXECDSASignature(signature));
		}
		const { n, e } = key.rsa();
		return verifyRSASSAPKCS1v15Signature(new RSAPublicKey(n, e), sha256ObjectIdentifier, hash, signature);
	} catch {
		return false;
	}
}
