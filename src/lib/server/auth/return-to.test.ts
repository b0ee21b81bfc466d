import { describe, expect, it } from 'vitest';
import { safeReturnTo } from './return-to';

/** Where a browser would go if redirected to `location` from our origin. */
function destination(location: string): string {
	return new URL(location, 'https://op.example.com/auth/login').origin;
}

describe('safeReturnTo: no open redirect (RFC 9700 §4.11)', () => {
	it.each([
		['/account'],
		['/api/auth/authorize?client_id=internal-dashboard&response_type=code&scope=openid%20profile'],
		['/auth/consent?return_to=%2Fapi%2Fauth%2Fauthorize']
	])('keeps a same-origin path: %s', (path) => {
		expect(safeReturnTo(path)).toBe(path);
	});

	it.each([
		['protocol-relative', '//evil.com'],
		['protocol-relative with path', '//evil.com/account'],
		['backslash', '/\\evil.com'],
		['double backslash', '\\\\evil.com'],
		['absolute https', 'https://evil.com'],
		['absolute http', 'http://evil.com/account'],
		['javascript:', 'javascript:alert(1)'],
		['data:', 'data:text/html,<script>alert(1)</script>'],
		['tab inside //', '/\t/evil.com'],
		['newline inside //', '/\n/evil.com'],
		['relative without slash', 'evil.com'],
		['empty', '']
	])('refuses %s: %j', (_, value) => {
		const result = safeReturnTo(value);
		if (result !== null) expect(destination(result)).toBe('https://op.example.com');
		expect(result).toBeNull();
	});

	it.each([
		['dot segment before //', '/.//evil.com'],
		['dot-dot segment before //', '/a/..//evil.com'],
		['dot segment, tab, slash', '/./\t/evil.com']
	])('never returns a path that leaves the origin (%s: %j)', (_, value) => {
		const result = safeReturnTo(value);
		// Whatever comes back must keep the browser on our origin when used as a Location.
		if (result !== null) expect(destination(result), `safeReturnTo returned ${JSON.stringify(result)}`).toBe('https://op.example.com');
	});

	it.each([[null], [undefined], [42], [['/account']], [{ toString: () => '/account' }]])('refuses a non-string: %j', (value) => {
		expect(safeReturnTo(value)).toBeNull();
	});
});
