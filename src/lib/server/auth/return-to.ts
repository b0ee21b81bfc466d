/**
 * A same-origin path to continue to after signing in, or null. Anything that could leave the
 * origin (`//evil.example`, `/\evil.example`, absolute URLs) is refused: an open redirect on
 * an identity provider is a phishing tool.
 */
export function safeReturnTo(value: unknown): string | null {
	if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || /[\\\u0000-\u001f]/.test(value)) return null;
	try {
		const url = new URL(value, 'http://origin.invalid');
		const path = url.pathname + url.search;
		// Dot segments can normalise "/.//evil.com" into the protocol-relative "//evil.com".
		return url.origin === 'http://origin.invalid' && !path.startsWith('//') ? path : null;
	} catch {
		return null;
	}
}
