// The common-issues lab (/lab on the demo sites) and the provider's development-only key
// rotation it calls (POST /dev/keys/rotate), from an attacker's side: a key rotation on demand
// is a lever on every relying party's JWKS cache (an unannounced rotation makes them refuse
// valid tokens for up to their cooldown). It must not exist in a production build unless the
// operator turns the settings on, and even then only the demo sites' server may pull it: not
// an anonymous caller, not a wrong secret, not a browser (cross-site or same-site), not
// another client.
import { describe, expect, it } from 'vitest';
import { DASHBOARD_CREDENTIALS, get, postForm, servers, WIKI, basicAuthorization } from '../support/http';
import { useProductionServer } from '../support/provider-fixture';

async function publishedKids(provider: string): Promise<string[]> {
	const jwks = (await (await get(`${provider}/api/auth/jwks`)).json()) as { keys: { kid: string }[] };
	return jwks.keys.map((k) => k.kid).sort();
}

const rotate = (provider: string, body: Record<string, string>, headers: Record<string, string> = {}) => postForm(`${provider}/dev/keys/rotate`, body, headers);

describe('a production build without DEVELOPER_PAGES / FLOW_INSPECTOR (the shared server)', () => {
	it("has no rotation endpoint, even for the demo site's own credentials: 404 and the JWKS unchanged", async () => {
		const { provider } = servers();
		const before = await publishedKids(provider);
		const response = await rotate(provider, { mode: 'unannounced', ...DASHBOARD_CREDENTIALS });
		expect(response.status).toBe(404);
		expect(await publishedKids(provider)).toEqual(before);
	});

	it('has no lab on the demo sites: the page, its empty JWKS and its rotate action answer 404', async () => {
		const { provider, site1 } = servers();
		const before = await publishedKids(provider);
		expect((await get(`${site1}/lab`, { accept: 'text/html' })).status).toBe(404);
		expect((await get(`${site1}/lab/empty-jwks`)).status).toBe(404);
		const action = await postForm(`${site1}/lab?/rotate`, { mode: 'unannounced' }, { origin: site1 });
		expect(action.status).toBe(404);
		expect(await publishedKids(provider)).toEqual(before);
	});
});

describe('with DEVELOPER_PAGES=true and FLOW_INSPECTOR=true (development)', () => {
	const server = useProductionServer({ port: 4630, env: { DEVELOPER_PAGES: 'true', FLOW_INSPECTOR: 'true' } });

	const refusedWithoutRotation = async (response: Response, status: number) => {
		expect(response.status).toBe(status);
		expect(response.headers.get('cache-control') ?? '').toContain('no-store');
	};

	it('refuses an anonymous caller (401, asking for Basic credentials) and rotates nothing', async () => {
		const before = await publishedKids(server.urls.provider);
		const response = await rotate(server.urls.provider, { mode: 'unannounced' });
		await refusedWithoutRotation(response, 401);
		expect(response.headers.get('www-authenticate')).toMatch(/^Basic/);
		expect(await publishedKids(server.urls.provider)).toEqual(before);
	});

	it('refuses a wrong secret for a demo client (401)', async () => {
		const before = await publishedKids(server.urls.provider);
		await refusedWithoutRotation(
			await rotate(server.urls.provider, { mode: 'unannounced', client_id: DASHBOARD_CREDENTIALS.client_id, client_secret: 'guess' }),
			401
		);
		await refusedWithoutRotation(await rotate(server.urls.provider, { mode: 'unannounced' }, { authorization: basicAuthorization(WIKI.id, 'guess') }), 401);
		expect(await publishedKids(server.urls.provider)).toEqual(before);
	});

	it('refuses a cross-site browser form post, even one that somehow carries the credentials (403)', async () => {
		const before = await publishedKids(server.urls.provider);
		const response = await rotate(
			server.urls.provider,
			{ mode: 'unannounced', ...DASHBOARD_CREDENTIALS },
			{ origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' }
		);
		expect(response.status).toBe(403);
		expect(await publishedKids(server.urls.provider)).toEqual(before);
	});

	it("refuses a same-origin browser request with the credentials (403): only the sites' server may call", async () => {
		const before = await publishedKids(server.urls.provider);
		const response = await rotate(
			server.urls.provider,
			{ mode: 'unannounced', ...DASHBOARD_CREDENTIALS },
			{ origin: server.urls.provider, 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors', 'sec-fetch-dest': 'empty' }
		);
		await refusedWithoutRotation(response, 403);
		expect(((await response.json()) as { error: string }).error).toBe('access_denied');
		// A browser's ambient cookie alone marks it too.
		await refusedWithoutRotation(await rotate(server.urls.provider, { mode: 'unannounced', ...DASHBOARD_CREDENTIALS }, { cookie: 'op_session=x.y' }), 403);
		expect(await publishedKids(server.urls.provider)).toEqual(before);
	});

	it("refuses a cross-site form post to the lab's rotate action on the demo site (403), which would rotate on the visitor's behalf", async () => {
		const before = await publishedKids(server.urls.provider);
		const response = await postForm(
			`${server.urls.site1}/lab?/rotate`,
			{ mode: 'unannounced' },
			{ origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }
		);
		expect(response.status).toBe(403);
		expect(await publishedKids(server.urls.provider)).toEqual(before);
	});

	it('answers an unknown mode with 400 and GET with 405', async () => {
		const before = await publishedKids(server.urls.provider);
		await refusedWithoutRotation(await rotate(server.urls.provider, { mode: 'everything', ...DASHBOARD_CREDENTIALS }), 400);
		expect((await get(`${server.urls.provider}/dev/keys/rotate`)).status).toBe(405);
		expect(await publishedKids(server.urls.provider)).toEqual(before);
	});

	it("the demo site's server, with its credentials and no browser headers, publishes a successor (the one caller it serves)", async () => {
		const response = await rotate(server.urls.provider, { mode: 'publish-ahead', ...DASHBOARD_CREDENTIALS });
		expect(response.status).toBe(200);
		const { kid, mode } = (await response.json()) as { kid: string; mode: string };
		expect(mode).toBe('publish-ahead');
		expect(await publishedKids(server.urls.provider)).toContain(kid);
	});
});
