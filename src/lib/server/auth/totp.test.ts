import { generateTOTP } from '@oslojs/otp';
import { decodeBase32 } from '@oslojs/encoding';
import { describe, expect, it } from 'vitest';
import {
	decryptTOTPKey,
	deriveTOTPEncryptionKey,
	encryptTOTPKey,
	generateTOTPKey,
	isTOTPCodeFormat,
	manualEntryKey,
	matchingTimeStep,
	timeStep,
	totpCodeAt,
	totpKeyURI
} from './totp';

// RFC 6238 Appendix B: the SHA-1 test key, "12345678901234567890".
const RFC_KEY = new TextEncoder().encode('12345678901234567890');
const at = (unixSeconds: number) => new Date(unixSeconds * 1000);

describe('TOTP codes (RFC 6238)', () => {
	it('computes the RFC 6238 Appendix B test vectors (last six digits)', () => {
		expect(totpCodeAt(RFC_KEY, at(59))).toBe('287082');
		expect(totpCodeAt(RFC_KEY, at(1111111109))).toBe('081804');
		expect(totpCodeAt(RFC_KEY, at(1234567890))).toBe('005924');
		expect(totpCodeAt(RFC_KEY, at(2000000000))).toBe('279037');
	});

	it('accepts the code of the current step and of one step either side, and no further (§5.2)', () => {
		const now = at(1234567890);
		const step = timeStep(now);
		expect(matchingTimeStep(RFC_KEY, totpCodeAt(RFC_KEY, now), now)).toBe(step);
		expect(matchingTimeStep(RFC_KEY, totpCodeAt(RFC_KEY, at(1234567890 - 30)), now)).toBe(step - 1);
		expect(matchingTimeStep(RFC_KEY, totpCodeAt(RFC_KEY, at(1234567890 + 30)), now)).toBe(step + 1);
		expect(matchingTimeStep(RFC_KEY, totpCodeAt(RFC_KEY, at(1234567890 - 60)), now)).toBeNull();
		expect(matchingTimeStep(RFC_KEY, totpCodeAt(RFC_KEY, at(1234567890 + 60)), now)).toBeNull();
	});

	it('refuses a code of another key, a wrong length, and letters', () => {
		const now = new Date();
		expect(matchingTimeStep(generateTOTPKey(), totpCodeAt(RFC_KEY, now), now)).toBeNull();
		expect(matchingTimeStep(RFC_KEY, totpCodeAt(RFC_KEY, now).slice(1), now)).toBeNull();
		expect(isTOTPCodeFormat('12345a')).toBe(false);
		expect(isTOTPCodeFormat('123 456')).toBe(true);
	});

	it('agrees with an authenticator app reading the key URI (the same code as @oslojs/otp generateTOTP)', () => {
		const key = generateTOTPKey();
		expect(key).toHaveLength(20);
		const uri = new URL(totpKeyURI('SSO Provider', 'ada@example.com', key));
		expect(uri.protocol).toBe('otpauth:');
		expect(uri.searchParams.get('issuer')).toBe('SSO Provider');
		expect(uri.searchParams.get('digits')).toBe('6');
		expect(uri.searchParams.get('period')).toBe('30');
		const fromURI = decodeBase32(uri.searchParams.get('secret')!);
		const fromManual = decodeBase32(manualEntryKey(key).replace(/ /g, ''));
		expect(fromManual).toEqual(key);
		const now = new Date();
		expect(matchingTimeStep(key, generateTOTP(fromURI, 30, 6), now)).not.toBeNull();
	});
});

describe('TOTP key encryption', () => {
	it('round-trips, never contains the key in the clear, and needs the same server secret', async () => {
		const key = generateTOTPKey();
		const wrap = await deriveTOTPEncryptionKey('a server secret of enough length for the test');
		const jwe = await encryptTOTPKey(key, wrap);
		expect(jwe.split('.')).toHaveLength(5);
		expect(jwe).not.toContain(manualEntryKey(key).replace(/ /g, ''));
		expect(await decryptTOTPKey(jwe, wrap)).toEqual(key);
		const other = await deriveTOTPEncryptionKey('another server secret of enough length');
		await expect(decryptTOTPKey(jwe, other)).rejects.toThrow();
	});
});
