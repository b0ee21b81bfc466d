import { describe, expect, it } from 'vitest';
import { newSubmissionId, parseSubmissionId } from './sign-in-submission';

describe('submission ids', () => {
	it('are 128 random bits, base64url, and parse back; anything else is no id', () => {
		const id = newSubmissionId();
		expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
		expect(newSubmissionId()).not.toBe(id);
		expect(parseSubmissionId(id)).toBe(id);
		for (const bad of [null, '', 'short', `${id}x`, 'a'.repeat(21) + '!', 42]) expect(parseSubmissionId(bad)).toBeNull();
	});
});
