import { dictionary } from '@zxcvbn-ts/language-common';

// Offline word lists from @zxcvbn-ts/language-common: ~49,000 passwords seen most often in
// breaches (`passwords-common`, all lower case) and the 7,776 words of the EFF diceware list.
// Built into Sets on first use, once per process.

let passwords: Set<string> | undefined;
let words: Set<string> | undefined;

/** Common and known-breached passwords, lower case (NIST SP 800-63B §5.1.1.2). */
export function commonPasswords(): Set<string> {
	passwords ??= new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));
	return passwords;
}

/** What a person building a "random" string reaches for: common passwords and dictionary words of 4+ characters, lower case. */
export function guessableWords(): Set<string> {
	words ??= new Set([...commonPasswords(), ...dictionary['diceware-common'].map((w) => w.toLowerCase())].filter((w) => w.length >= 4));
	return words;
}

/**
 * The dictionary words in `text` (case-insensitive), longest match first, left to right, as
 * `[start, length]` spans that do not overlap.
 */
export function findGuessableWords(text: string, maxLength = 32): Array<[number, number]> {
	const lower = text.toLowerCase();
	const set = guessableWords();
	const spans: Array<[number, number]> = [];
	for (let i = 0; i < lower.length;) {
		let found = 0;
		for (let length = Math.min(maxLength, lower.length - i); length >= 4; length--) {
			if (set.has(lower.slice(i, i + length))) {
				found = length;
				break;
			}
		}
		if (found) {
			spans.push([i, found]);
			i += found;
		} else i++;
	}
	return spans;
}
