import { findGuessableWords, guessableWords } from './word-lists';

// The server secret wraps the private signing keys stored in the database (keys.ts), so
// whoever can guess it offline from a database copy can sign tokens. It must carry at least
// 256 bits (32 bytes) of randomness. We cannot measure randomness, only refuse what is
// clearly not random, by this rule:
//
// 1. Encoded random bytes (what `openssl rand -base64 32` / `-hex 32` print): hex counts
//    4 bits a character, base64/base64url 6 bits (padding `=` not counted). A chance short
//    word is normal in random output, so words only matter when they make up half the string.
// 2. Anything else (a passphrase, say): each dictionary word (common passwords, diceware
//    list; 4+ letters) counts as one pick from that list (~16 bits), every other character
//    as one of the 95 printable ASCII characters (~6.6 bits).
// Either way, a string that repeats a shorter pattern, or uses fewer than 16 different
// characters (10 for hex), is refused whatever its length.

export const MIN_SECRET_BITS = 256;
const HOW_TO_MAKE_ONE = 'Make one with `openssl rand -base64 32`.';

/** Why `secret` is too weak to be the server secret, or null when it passes the rule above. */
export function secretWeakness(secret: string): string | null {
	const hex = /^[0-9a-fA-F]+$/.test(secret);
	const base64 = !hex && (/^[A-Za-z0-9+/]+={0,2}$/.test(secret) || /^[A-Za-z0-9_-]+$/.test(secret));
	const body = base64 ? secret.replace(/=+$/, '') : secret;
	if (repeatsPattern(body)) return 'it repeats a shorter pattern';
	if (new Set(body).size < (hex ? 10 : 16)) return 'it uses too few different characters';
	const words = findGuessableWords(body);
	const inWords = words.reduce((sum, [, length]) => sum + length, 0);
	let bits: number;
	if (hex || base64) {
		if (inWords * 2 >= body.length) return 'it is made of dictionary words';
		bits = body.length * (hex ? 4 : 6);
	} else {
		bits = words.length * Math.log2(guessableWords().size) + (body.length - inWords) * Math.log2(95);
	}
	if (bits < MIN_SECRET_BITS) return `it carries about ${Math.floor(bits)} bits of randomness, fewer than ${MIN_SECRET_BITS} (32 bytes)`;
	return null;
}

/** `secret` when it passes secretWeakness(); otherwise the start fails with how to make a good one. */
export function requireStrongSecret(secret: string, name: string): string {
	const weakness = secretWeakness(secret);
	if (weakness) throw new Error(`${name} is too weak: ${weakness}. It needs at least 32 bytes of randomness. ${HOW_TO_MAKE_ONE}`);
	return secret;
}

/** Whether the string is a shorter unit repeated (abab..., 0000..., secretsecret). */
function repeatsPattern(text: string): boolean {
	for (let period = 1; period <= text.length / 2; period++) {
		let repeats = true;
		for (let i = period; i < text.length && repeats; i++) repeats = text[i] === text[i - period];
		if (repeats) return true;
	}
	return false;
}
