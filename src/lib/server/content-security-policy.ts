/**
 * The provider's Content-Security-Policy allows images from its own origin only (svelte.config.js).
 * A page that shows a registered client's logo (its logo_uri, RFC 7591 §2) widens `img-src` by
 * exactly that origin, for that response: no other page, and no other directive (scripts stay
 * 'self'), is affected.
 */

/** Lets this response load images from the origin of `uri` (a logo the page shows). */
export function allowImagesFrom(locals: App.Locals, uri: string | null | undefined): void {
	if (!uri) return;
	const origin = imageOrigin(uri);
	if (origin) (locals.imageOrigins ??= []).push(origin);
}

/** The policy with `origins` added to its img-src (CSP Level 3 §6.1.2.13); unchanged if none. */
export function addImageSources(policy: string, origins: readonly string[]): string {
	const sources = [...new Set(origins.map(imageOrigin).filter((o): o is string => o !== null))];
	if (!sources.length) return policy;
	const directives = policy
		.split(';')
		.map((d) => d.trim())
		.filter(Boolean);
	const index = directives.findIndex((d) => d.split(/\s+/)[0].toLowerCase() === 'img-src');
	if (index === -1) return [...directives, `img-src 'self' ${sources.join(' ')}`].join('; ');
	directives[index] = `${directives[index]} ${sources.join(' ')}`;
	return directives.join('; ');
}

/** An http(s) origin as a CSP source expression, or null: nothing else may reach the header. */
function imageOrigin(uri: string): string | null {
	try {
		const url = new URL(uri);
		return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : null;
	} catch {
		return null;
	}
}
