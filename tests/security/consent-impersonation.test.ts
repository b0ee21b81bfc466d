// Issue #6 finding 8: a registered client could call itself "Internal Dashboard" (or hide
// bidi/invisible characters in its name) and make the consent page load its logo from any
// host (a tracking pixel; the CSP had no img-src). Attacker's view: register a look-alike,
// send a user to the consent page.
import { describe, expect, it } from 'vitest';
import { authorizeURL, expectOAuthError, get, postJSON, servers, signIn } from '../support/http';

const { provider } = servers();
const REGISTER = `${provider}/api/auth/register`;
const CALLBACK = 'https://partner.example.org/cb';
const BROWSER = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

const registerNamed = (client_name: string, extra: Record<string, unknown> = {}) => postJSON(REGISTER, { redirect_uris: [CALLBACK], client_name, ...extra });

describe("the names of the provider's own applications are reserved", () => {
	it.each([
		['the exact name', 'Internal Dashboard'],
		['another case and spacing', '  internal   DASHBOARD '],
		['punctuation between the words', 'Internal-Dashboard'],
		['full-width letters (NFKC)', 'Ｉｎｔｅｒｎａｌ Ｄａｓｈｂｏａｒｄ'],
		['a Cyrillic "о" look-alike', 'Internal Dashbоard'],
		['combining marks', 'Internal Dásh́board'],
		['the name inside a longer one', 'Internal Dashboard (official)'],
		['the other demo site', 'Team Wiki']
	])('%s → 400 invalid_client_metadata', async (_, name) => {
		const body = await expectOAuthError(await registerNamed(name), 400, 'invalid_client_metadata');
		expect(String(body.error_description)).toMatch(/client_name/);
	});

	it('an unrelated name is fine', async () => {
		expect((await registerNamed('Partner Reports')).status).toBe(201);
	});
});

describe('control, bidi-override and invisible characters are refused in client_name', () => {
	it.each([
		['a right-to-left override', 'Evil\u202Eelgoog'],
		['a bidi isolate', 'Partner\u2067App\u2069'],
		['a zero-width space', 'Internal\u200BDashboard'],
		['a zero-width joiner', 'Partner\u200DApp'],
		['a soft hyphen', 'Part\u00ADner'],
		['a BEL control character', 'Partner\u0007App'],
		['a line separator', 'Partner\u2028App'],
		['a Hangul filler (renders as nothing)', 'Partner\u3164App'],
		['a Unicode tag character', 'Partner\u{E0041}App']
	])('%s → 400 invalid_client_metadata', async (_, name) => {
		await expectOAuthError(await registerNamed(name), 400, 'invalid_client_metadata');
	});
});

async function consentPage(clientId: string) {
	const cookie = await signIn();
	const first = await get(authorizeURL({ client_id: clientId, redirect_uri: CALLBACK, response_type: 'code', scope: 'openid email', state: 's' }), {
		cookie,
		...BROWSER
	});
	const location = new URL(first.headers.get('location') ?? '', provider);
	expect(location.pathname).toBe('/auth/consent');
	const page = await get(location.href, { cookie, ...BROWSER });
	expect(page.status).toBe(200);
	return { page, html: await page.text() };
}

describe('the consent page for a self-registered client', () => {
	it("says it is unverified, and loads no logo from the registrant's host", async () => {
		const registration = await registerNamed('Partner Reports', { logo_uri: 'https://tracker.example/pixel.png?user=victim' });
		expect(registration.status).toBe(201);
		const { client_id } = (await registration.json()) as { client_id: string };
		const { html } = await consentPage(client_id);
		expect(html).toContain('Partner Reports');
		expect(html).toContain('Unverified application');
		expect(html).not.toContain('tracker.example');
		expect(html).not.toMatch(/<img\b[^>]*src="https?:\/\/(?!localhost|127\.0\.0\.1)/);
	});

	it("the page's CSP lets images load only from the provider itself (img-src 'self')", async () => {
		const { client_id } = (await (await registerNamed('Partner Charts')).json()) as { client_id: string };
		const { page } = await consentPage(client_id);
		const csp = page.headers.get('content-security-policy') ?? '';
		const imgSrc = csp
			.split(';')
			.map((d) => d.trim())
			.find((d) => d.startsWith('img-src'));
		expect(imgSrc).toBe("img-src 'self'");
	});
});

describe('the end-session page names a self-registered client as unverified', () => {
	it('"… (an unverified application) asks to sign you out."', async () => {
		const registration = await registerNamed('Partner Logout', { post_logout_redirect_uris: ['https://partner.example.org/bye'] });
		const { client_id } = (await registration.json()) as { client_id: string };
		const cookie = await signIn();
		const page = await get(`${provider}/api/auth/end-session?${new URLSearchParams({ client_id })}`, { cookie, ...BROWSER });
		expect(page.status).toBe(200);
		expect(await page.text()).toContain('Partner Logout (an unverified application) asks to sign you out.');
	});
});
