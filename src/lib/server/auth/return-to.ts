/**
 * A same-origin path to continue to after signing in, or null. Anything that could leave the
 * origin (`//evil.example`, `/\evil.example`, absolute URLs) is refused: an open redirect on
 * an identity provider is a phishing tool.
 */
export function safeReturnTo(value: unknown): string | null {
	if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return null;
	try {
		const url = new URL(value, 'http://origin.invalid');
		return url.origin === 'http://origin.invalid' ? url.pathname + url.search : null;
	} catch {
		return null;
	}
}
