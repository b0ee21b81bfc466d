import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { requireStrongSecret, secretWeakness } from './secret-strength';

describe('AUTH_SECRET strength (at least 32 bytes of randomness)', () => {
	it('accepts what `openssl rand -base64 32`, `openssl rand -hex 32` and the embedded-database secret look like, every time', () => {
		for (let i = 0; i < 500; i++) {
			const bytes = randomBytes(32);
			for (const secret of [bytes.toString('base64'), bytes.toString('hex'), bytes.toString('base64url')]) {
				expect(secretWeakness(secret), secret).toBeNull();
			}
		}
	});

	it('accepts longer random strings and long diceware-style passphrases', () => {
		expect(secretWeakness(randomBytes(64).toString('base64'))).toBeNull();
		const words = 'acorn badge cider dwelt ember fjord gleam hazel inlet jolly kayak lemon mango nylon opera perch quilt raven salsa tulip umbra'.split(' ');
		expect(secretWeakness(words.join(' '))).toBeNull();
	});

	it.each([
		['x', /too few different characters/],
		['changeme', /too few different characters/],
		['cli-test-secret-0123456789abcdef', /dictionary words/],
		['a'.repeat(64), /repeats a shorter pattern/],
		['abcdefghijklmnopq'.repeat(4), /repeats a shorter pattern/],
		['deadbeef'.repeat(8), /repeats a shorter pattern/],
		['0123456789abcdef0123456789abcdef', /repeats a shorter pattern/],
		// 16 random bytes in hex: 128 bits.
		[randomBytes(16).toString('hex'), /about 128 bits of randomness/],
		// 24 random bytes, not 32.
		[randomBytes(24).toString('base64url'), /bits of randomness/],
		// Valid base64 alphabet, but words a person chose.
		['ThisIsMySuperSecretPasswordForTheSsoProvider', /dictionary words/],
		['correct horse battery staple', /too few different characters/],
		['P@ssw0rd!P@ssw0rd!Summer2024Summer2024!!', /too few different characters/],
		['Correct-Horse-Battery-Staple-Jumps-Over-7-Lazy-Dogs!', /about \d+ bits of randomness/]
	])('refuses %j (%s)', (secret, reason) => {
		expect(secretWeakness(secret)).toMatch(reason);
	});

	it('the start fails with a message that says how to make a good secret', () => {
		expect(() => requireStrongSecret('x', 'AUTH_SECRET')).toThrow(/^AUTH_SECRET is too weak: .*32 bytes.*`openssl rand -base64 32`/);
		const good = randomBytes(32).toString('base64');
		expect(requireStrongSecret(good, 'AUTH_SECRET')).toBe(good);
	});
});
