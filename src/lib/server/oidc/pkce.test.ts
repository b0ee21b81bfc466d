import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { isValidS256Challenge, verifierMatchesChallenge } from './pkce';

/** An independent S256 (node:crypto rather than the module's own @oslojs). */
const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

// RFC 7636 Appendix B.
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

describe('PKCE S256 (RFC 7636)', () => {
	it('accepts the Appendix B test vector: BASE64URL(SHA256(verifier)) == challenge', () => {
		expect(verifierMatchesChallenge(VERIFIER, CHALLENGE)).toBe(true);
	});

	it('refuses a challenge one character off the Appendix B value ("GLSstw" for "GJSstw")', () => {
		expect(verifierMatchesChallenge(VERIFIER, 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGLSstw-cM')).toBe(false);
	});

	it('refuses a verifier that does not hash to the challenge', () => {
		expect(verifierMatchesChallenge(VERIFIER.slice(0, -1) + 'l', CHALLENGE)).toBe(false);
		expect(verifierMatchesChallenge(VERIFIER, CHALLENGE.slice(0, -1) + 'd')).toBe(false);
	});

	it('§4.6: a plain verifier equal to the challenge is not accepted (no "plain" method)', () => {
		expect(verifierMatchesChallenge(CHALLENGE, CHALLENGE)).toBe(false);
	});

	it('§4.1: refuses verifiers shorter than 43 or longer than 128 characters, even when they hash to the challenge', () => {
		for (const verifier of ['a'.repeat(42), 'a'.repeat(129), '']) {
			expect(verifierMatchesChallenge(verifier, s256(verifier)), `length ${verifier.length}`).toBe(false);
		}
	});

	it('§4.1: refuses verifiers with characters outside [A-Z a-z 0-9 - . _ ~], even when they hash to the challenge', () => {
		for (const bad of ['a'.repeat(42) + '+', 'a'.repeat(42) + '/', 'a'.repeat(42) + '=', 'a'.repeat(42) + ' ', 'a'.repeat(42) + 'é']) {
			expect(verifierMatchesChallenge(bad, s256(bad)), JSON.stringify(bad)).toBe(false);
		}
	});

	it('accepts verifiers at both length limits (43 and 128) built from all allowed characters', () => {
		const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~';
		for (const verifier of [alphabet.slice(0, 43), (alphabet + alphabet).slice(0, 128)]) {
			expect(verifierMatchesChallenge(verifier, s256(verifier))).toBe(true);
		}
	});

	it('§4.2: an S256 challenge is exactly 43 base64url characters', () => {
		expect(isValidS256Challenge(CHALLENGE)).toBe(true);
		expect(isValidS256Challenge(CHALLENGE.slice(0, 42))).toBe(false);
		expect(isValidS256Challenge(CHALLENGE + 'A')).toBe(false);
		expect(isValidS256Challenge(CHALLENGE + '=')).toBe(false);
		expect(isValidS256Challenge('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGLSstw+cM')).toBe(false);
		expect(isValidS256Challenge('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGLSstw/cM')).toBe(false);
		expect(isValidS256Challenge('')).toBe(false);
	});
});
