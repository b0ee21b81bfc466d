import { describe, expect, it } from 'vitest';
import { ACR, acrClaim, acrOf, meetsAcr, withSecondFactor } from './authentication-strength';

describe('amr and acr (RFC 8176, OIDC Core §2)', () => {
	it('a password and a code are two factors: pwd otp mfa, multi-factor', () => {
		const amr = withSecondFactor(['pwd'], 'otp');
		expect(amr).toEqual(['pwd', 'otp', 'mfa']);
		expect(acrOf(amr)).toBe(ACR.multiFactor);
		expect(withSecondFactor(['fed'], 'otp')).toEqual(['fed', 'otp', 'mfa']);
	});

	it('one factor reaches only the "none" policy; a passkey is phishing-resistant', () => {
		expect(acrOf(['pwd'])).toBe(ACR.singleFactor);
		expect(acrOf(['fed'])).toBe(ACR.singleFactor);
		expect(acrOf(['hwk', 'mfa'])).toBe(ACR.phishingResistant);
	});

	it('a stronger class meets every weaker one, never the reverse; unknown classes are never met', () => {
		expect(meetsAcr(['hwk', 'mfa'], ACR.multiFactor)).toBe(true);
		expect(meetsAcr(['pwd', 'otp', 'mfa'], ACR.phishingResistant)).toBe(false);
		expect(meetsAcr(['pwd'], ACR.multiFactor)).toBe(false);
		expect(meetsAcr(['pwd', 'otp', 'mfa'], 'urn:example:unknown')).toBe(false);
	});

	it('acrClaim: the first requested value met (order of preference), else the class reached', () => {
		expect(acrClaim(['pwd', 'otp', 'mfa'], [ACR.phishingResistant, ACR.multiFactor])).toBe(ACR.multiFactor);
		expect(acrClaim(['pwd', 'otp', 'mfa'], [ACR.singleFactor, ACR.multiFactor])).toBe(ACR.singleFactor);
		expect(acrClaim(['pwd'], [ACR.multiFactor])).toBe(ACR.singleFactor);
		expect(acrClaim(['pwd', 'otp', 'mfa'])).toBe(ACR.multiFactor);
	});
});
