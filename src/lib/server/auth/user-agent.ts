/**
 * "Browser on OS" from a User-Agent header, for the account console's session list. Only the
 * common families are named; anything else is "Unknown browser", since the header is chosen by
 * the client and is a hint, not a fact (RFC 9110 §10.1.5).
 */
export function describeUserAgent(userAgent: string | null | undefined): string {
	if (!userAgent) return 'Unknown browser';
	return `${browserOf(userAgent)} on ${systemOf(userAgent)}`;
}

// Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari".
const BROWSERS: [RegExp, string][] = [
	[/\bEdg(e|A|iOS)?\//, 'Edge'],
	[/\b(OPR|Opera)\//, 'Opera'],
	[/\bSamsungBrowser\//, 'Samsung Internet'],
	[/\b(Firefox|FxiOS)\//, 'Firefox'],
	[/\bHeadlessChrome\//, 'Headless Chrome'],
	[/\b(Chrome|Chromium|CriOS)\//, 'Chrome'],
	[/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
	[/^curl\//, 'curl'],
	[/^node|undici/i, 'Node.js']
];

const SYSTEMS: [RegExp, string][] = [
	[/\b(iPhone|iPad|iPod)\b/, 'iOS'],
	[/\bAndroid\b/, 'Android'],
	[/\bCrOS\b/, 'ChromeOS'],
	[/\bWindows\b/, 'Windows'],
	[/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
	[/\bLinux\b|\bX11\b/, 'Linux']
];

function browserOf(userAgent: string): string {
	return BROWSERS.find(([pattern]) => pattern.test(userAgent))?.[1] ?? 'Unknown browser';
}

function systemOf(userAgent: string): string {
	return SYSTEMS.find(([pattern]) => pattern.test(userAgent))?.[1] ?? 'an unknown system';
}
