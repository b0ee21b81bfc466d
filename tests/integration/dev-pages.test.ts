// The provider's developer pages (DEVELOPER_PAGES) against the production build: the key
// lifecycle at /dev/keys, and the "For developers" part of a rejected authorization request
// with the client's registered redirect URIs. A server of its own has the setting on; the
// shared server runs a production build without it, where none of this may appear.
import { describe, expect, it } from 'vitest';
import { useProductionServer } from '../support/provider-fixture';
import { get, postJSON, servers } from '../support/http';

const BROWSER = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
const server = useProductionServer({ port: 4580, env: { DEVELOPER_PAGES: 'true' } });

async function page(url: string) {
	const response = await get(url, BROWSER);
	// Svelte's scoping classes and HTML escapes out of the way, so assertions read like the text.
	const html = (await response.text())
		.replace(/ class="svelte-\w+"/g, '')
		.replace(/&amp;/g, '&')
		.replace(/&quot;/g, '"')
		.replace(/&#39;/g, "'");
	return { response, html };
}

const authorize = (provider: string, params: Record<string, string>) => `${provider}/api/auth/authorize?${new URLSearchParams(params)}`;
const dashboardRequest = (site1: string, overrides: Record<string, string> = {}) => ({
	client_id: 'internal-dashboard',
	redirect_uri: `${site1}/auth/callback`,
	response_type: 'code',
	scope: 'openid',
	state: 's',
	...overrides
});

describe('DEVELOPER_PAGES=true', () => {
	it('/dev/keys lists every key the JWKS publishes, with the policy explained', async () => {
		const jwks = (await (await get(`${server.urls.provider}/api/auth/jwks`)).json()) as { keys: { kid: string }[] };
		expect(jwks.keys.length).toBeGreaterThanOrEqual(3);
		const { response, html } = await page(`${server.urls.provider}/dev/keys`);
		expect(response.status).toBe(200);
		expect(response.headers.get('cache-control')).toBe('no-store');
		expect(html).toContain('<h1>Signing key lifecycle</h1>');
		for (const { kid } of jwks.keys) expect(html).toContain(`<code>${kid}</code>`);
		expect(html).toContain('a rotation never makes a relying party refetch');
		// A public page of key ids and dates: no private key material.
		expect(html).not.toMatch(/"d":|private_key|privateKey/);
	});

	it('an unregistered redirect_uri: the page cites the rule, lists the URIs registered for the client and how to add one', async () => {
		const { provider, site1 } = server.urls;
		const { response, html } = await page(authorize(provider, dashboardRequest(site1, { redirect_uri: 'https://attacker.example/cb' })));
		expect(response.status).toBe(400);
		expect(html).toContain('Sign-in request rejected');
		expect(html).toContain('For developers');
		expect(html).toContain('RFC 6749 §3.1.2.3');
		expect(html).toContain('href="https://www.rfc-editor.org/rfc/rfc6749#section-3.1.2.3"');
		expect(html).toContain('it would hand the authorization code to whoever controls that URI');
		expect(html).toContain(`<li><code>${site1}/auth/callback</code></li>`);
		expect(html).toContain(`npm run clients -- add --id internal-dashboard`);
		// Every URI to keep, then the new one: the command replaces the registration.
		expect(html).toMatch(new RegExp(`--redirect-uri ${site1}/auth/callback( --redirect-uri \\S+)* --redirect-uri https://attacker.example/cb`));
		// Still never a redirect to the unregistered URI.
		expect(response.headers.get('location')).toBeNull();
	});

	it('a missing redirect_uri and an unknown client_id each cite their own rule', async () => {
		const { provider, site1 } = server.urls;
		const missing = await page(authorize(provider, dashboardRequest(site1, { redirect_uri: '' })));
		expect(missing.html).toContain('OIDC Core §3.1.2.1');
		expect(missing.html).toContain(`<li><code>${site1}/auth/callback</code></li>`);
		const unknown = await page(authorize(provider, dashboardRequest(site1, { client_id: 'no-such-client' })));
		expect(unknown.response.status).toBe(400);
		expect(unknown.html).toContain('client_id must be a client registered with this provider.');
		expect(unknown.html).toContain('RFC 6749 §4.1.2.1');
		expect(unknown.html).not.toContain('Redirect URIs registered for this client');
	});

	it('a self-registered public client without PKCE: the page before leaving cites RFC 9700 §2.1.1, and the RFC 7592 update to add a URI', async () => {
		const { provider } = server.urls;
		const registered = await postJSON(`${provider}/api/auth/register`, {
			redirect_uris: ['https://spa.example/cb'],
			token_endpoint_auth_method: 'none',
			client_name: 'Dev pages SPA'
		});
		expect(registered.status).toBe(201);
		const { client_id } = (await registered.json()) as { client_id: string };
		const noPKCE = await page(authorize(provider, { client_id, redirect_uri: 'https://spa.example/cb', response_type: 'code', scope: 'openid', state: 's' }));
		expect(noPKCE.response.status).toBe(200);
		expect(noPKCE.html).toContain('A public client (one without a secret) must use PKCE with S256.');
		expect(noPKCE.html).toContain('RFC 9700 §2.1.1');
		const wrongURI = await page(authorize(provider, { client_id, redirect_uri: 'https://spa.example/other', response_type: 'code', scope: 'openid' }));
		expect(wrongURI.html).toContain(`curl -X PUT ${provider}/api/auth/register/${client_id}`);
		expect(wrongURI.html).toContain('"redirect_uris":["https://spa.example/cb","https://spa.example/other"]');
	});
});

describe('DEVELOPER_PAGES unset in a production build (the shared server)', () => {
	it('/dev/keys is the styled 404', async () => {
		const { response, html } = await page(`${servers().provider}/dev/keys`);
		expect(response.status).toBe(404);
		expect(html).toContain('Page not found');
		expect(html).not.toContain('Signing key lifecycle');
	});

	it('a rejected request shows no developer section and never the registered redirect URIs', async () => {
		const { provider, site1 } = servers();
		const { response, html } = await page(authorize(provider, dashboardRequest(site1, { redirect_uri: 'https://attacker.example/cb' })));
		expect(response.status).toBe(400);
		expect(html).toContain('Sign-in request rejected');
		expect(html).not.toContain('For developers');
		expect(html).not.toContain(`${site1}/auth/callback`);
		expect(html).not.toContain('RFC 6749 §3.1.2.3');
	});
});
