import type { RequestHandler } from './$types';

// Each demo site's logo, registered as its client's logo_uri (seed.ts) so the provider's sign-in
// and consent pages show which site asked. Shapes only (no text, no script): it renders the
// same everywhere and is safe in an <img>.
const LOGOS = {
	// Internal Dashboard: bars of a chart.
	site1:
		`<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40" viewBox="0 0 40 40">` +
		`<rect width="40" height="40" rx="8" fill="#1d4ed8"/>` +
		`<rect x="9" y="21" width="5" height="10" rx="1" fill="#fff"/>` +
		`<rect x="17.5" y="14" width="5" height="17" rx="1" fill="#fff"/>` +
		`<rect x="26" y="9" width="5" height="22" rx="1" fill="#fff"/>` +
		`</svg>`,
	// Team Wiki: an open book.
	site2:
		`<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40" viewBox="0 0 40 40">` +
		`<rect width="40" height="40" rx="8" fill="#047857"/>` +
		`<path d="M8 12c4-2 8-2 12 1v16c-4-3-8-3-12-1z M32 12c-4-2-8-2-12 1v16c4-3 8-3 12-1z" fill="#fff"/>` +
		`</svg>`
} as const;

export const GET: RequestHandler = ({ locals }) => {
	const svg = LOGOS[locals.origin === 'site2' ? 'site2' : 'site1'];
	return new Response(svg, {
		headers: {
			'content-type': 'image/svg+xml',
			'cache-control': 'public, max-age=86400',
			// Opened on its own, the document still runs nothing.
			'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
			// The provider's pages (another origin) embed it.
			'cross-origin-resource-policy': 'cross-origin'
		}
	});
};
