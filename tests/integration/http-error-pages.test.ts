// Browsers get a styled error page with a way back on every origin (never a bare "Not found"
// or a bare 405); API clients keep the plain answer and the OAuth endpoints their JSON errors.
import { describe, expect, it } from 'vitest';
import { get, postForm, servers } from '../support/http';

const { provider, site1, site2 } = servers();
const BROWSER = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

const ORIGINS = [
	{ name: 'provider', url: () => provider, title: 'SSO Provider', otherSide: '/auth/callback', postOnly: '/api/auth/register', allow: 'POST' },
	{ name: 'site1', url: () => site1, title: 'Internal Dashboard', otherSide: '/account', postOnly: '/auth/sign-out', allow: 'POST' },
	{ name: 'site2', url: () => site2, title: 'Team Wiki', otherSide: '/api/auth/jwks', postOnly: '/auth/sign-out-everywhere', allow: 'POST' }
];

async function expectStyledPage(response: Response, status: number, heading: string, title: string, origin: string) {
	expect(response.status).toBe(status);
	expect(response.headers.get('content-type')).toMatch(/^text\/html/);
	const html = await response.text();
	expect(html).toContain(`data-origin="${origin}"`);
	expect(html).toMatch(new RegExp(`<h1[^>]*>${heading}</h1>`));
	expect(html).toContain(`<title>${heading} — ${title}</title>`);
	expect(html).toMatch(/<a [^>]*href="\/"[^>]*>Go to the start page<\/a>/);
	// Assets load from the root, wherever the page was served (a page-relative URL would 404).
	expect(html).not.toMatch(/(href|src)="\.\.?\/_app\//);
}

describe.each(ORIGINS)('$name: error pages', ({ name, url, title, otherSide, postOnly, allow }) => {
	it('a browser asking for an unknown page gets the styled 404', async () => {
		await expectStyledPage(await get(`${url()}/no-such-page/deeper`, BROWSER), 404, 'Page not found', title, name);
	});

	it("a browser asking for the other side's page gets the styled 404 of this origin, not the page", async () => {
		await expectStyledPage(await get(`${url()}${otherSide}`, BROWSER), 404, 'Page not found', title, name);
	});

	it('a browser opening a form-only address gets a styled 405 that keeps the Allow header', async () => {
		const response = await get(`${url()}${postOnly}`, BROWSER);
		expect(response.headers.get('allow')).toBe(allow);
		await expectStyledPage(response, 405, 'This address is not a page', title, name);
	});

	it('an API client (no text/html in Accept) still gets the plain answers, never HTML', async () => {
		const wrongSide = await get(`${url()}${otherSide}`, { accept: 'application/json' });
		expect(wrongSide.status).toBe(404);
		expect(wrongSide.headers.get('content-type')).not.toMatch(/html/);
		const wrongMethod = await get(`${url()}${postOnly}`, { accept: '*/*' });
		expect(wrongMethod.status).toBe(405);
		expect(wrongMethod.headers.get('allow')).toBe(allow);
		expect(wrongMethod.headers.get('content-type') ?? '').not.toMatch(/html/);
	});
});

describe('OAuth and JSON endpoints keep their error forms', () => {
	it('the token endpoint answers an unknown grant with RFC 6749 JSON even for a browser-like Accept', async () => {
		const response = await postForm(`${provider}/api/auth/token`, { grant_type: 'nonsense', client_id: 'internal-dashboard' }, BROWSER);
		expect(response.headers.get('content-type')).toMatch(/^application\/json/);
		const body = await response.json();
		expect(typeof body.error).toBe('string');
	});

	it('userinfo without a token is a 401 with a Bearer challenge, not an HTML page', async () => {
		const response = await get(`${provider}/api/auth/userinfo`, BROWSER);
		expect(response.status).toBe(401);
		expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
		expect(response.headers.get('content-type') ?? '').not.toMatch(/html/);
	});

	it('an unknown API path is a JSON 404 for an API client and the styled page for a browser', async () => {
		for (const accept of ['application/json', '*/*']) {
			const response = await get(`${provider}/api/auth/no-such-endpoint`, { accept });
			expect(response.status).toBe(404);
			expect(response.headers.get('content-type')).toMatch(/^application\/json/);
			expect((await response.json()).error).toBe('not_found');
		}
		await expectStyledPage(await get(`${provider}/api/auth/no-such-endpoint`, BROWSER), 404, 'Page not found', 'SSO Provider', 'provider');
	});
});
