import { describe, expect, it } from 'vitest';
import { generateRecoveryCode, normalizeRecoveryCode } from './recovery-codes';

describe('recovery codes', () => {
	it('are four groups of four base32 characters (80 bits), all different', () => {
		const codes = Array.from({ length: 200 }, generateRecoveryCode);
		for (const code of codes) expect(code).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
		expect(new Set(codes).size).toBe(codes.length);
	});

	it('are recognised as typed: any case, with or without dashes and spaces; nothing else', () => {
		const code = generateRecoveryCode();
		const compact = code.replace(/-/g, '');
		expect(normalizeRecoveryCode(code.toUpperCase())).toBe(compact);
		expect(normalizeRecoveryCode(` ${code.replace(/-/g, ' ')} `)).toBe(compact);
		expect(normalizeRecoveryCode('123456')).toBeNull();
		expect(normalizeRecoveryCode(compact.slice(1))).toBeNull();
		expect(normalizeRecoveryCode(`${compact.slice(1)}0`)).toBeNull();
	});
});
