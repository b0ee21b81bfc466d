// Issue #6 finding 14 (part): under an https origin every response carries
// Strict-Transport-Security (RFC 6797), and session and flow cookies use the `__Host-` prefix
// (RFC 6265bis §4.1.3.2: Secure, Path=/, no Domain), so a sibling subdomain or a network
// attacker on plain http cannot plant or overwrite them. On http (development) nothing changes.
//
// The launcher takes each origin's scheme from its configured public URL, so plain-http
// requests to the listen ports behave as if they came through a TLS-terminating proxy.
// Ports: 4384-4389 (+ TEST_PORT_OFFSET).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProductionServer, testPortOffset, type ProductionServer } from '../support/production-server';
import { DEMO } from '../support/http';

const BROWSER = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
const HSTS = /^max-age=(\d+)(; includeSubDomains)?$/;

let allHTTPS: ProductionServer;
let mixed: ProductionServer;
// Listen ports (what the test connects to) differ from the public URLs' ports.
let allHTTPSPort: number;
let mixedPort: number;

beforeAll(async () => {
	allHTTPSPort = 4384 + testPortOffset();
	mixedPort = 4387 + testPortOffset();
	[allHTTPS, mixed] = await Promise.all([
		startProductionServer({
			port: allHTTPSPort,
			urls: { provider: `https://localhost:${allHTTPSPort}`, site1: `https://localhost:${allHTTPSPort + 1}`, site2: `https://localhost:${allHTTPSPort + 2}` }
		}),
		// Provider and site 2 on http, site 1 on https: the site can still reach the provider.
		startProductionServer({ port: mixedPort, urls: { site1: `https://localhost:${mixedPort + 1}` } })
	]);
}, 120_000);

afterAll(async () => {
	await Promise.all([allHTTPS?.stop(), mixed?.stop()]);
});

const at = (port: number, path: string, init: RequestInit = {}) => fetch(`http://localhost:${port}${path}`, { redirect: 'manual', ...init });

function cookieNamed(response: Response, name: string) {
	const raw = response.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
	if (!raw) return undefined;
	const [pair, ...attributes] = raw.split(';').map((s) => s.trim());
	return { value: pair.slice(name.length + 1), attributes: attributes.map((a) => a.toLowerCase()) };
}

async function signInJSON(port: number) {
	return at(port, '/api/auth/sign-in/email', {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ email: DEMO.email, password: DEMO.password })
	});
}

describe('https origins: Strict-Transport-Security on every response', () => {
	it('the provider sends HSTS on documents, pages, static assets, 404s, redirects and errors', async () => {
		const port = allHTTPSPort;
		const login = await at(port, '/auth/login', { headers: BROWSER });
		const asset = (await login.clone().text()).match(/\/_app\/immutable\/[^"']+\.(?:js|css)/)?.[0];
		expect(asset).toBeTruthy();
		const responses = {
			discovery: await at(port, '/.well-known/openid-configuration'),
			jwks: await at(port, '/api/auth/jwks'),
			login,
			asset: await at(port, asset!),
			favicon: await at(port, '/favicon.svg'),
			notFound: await at(port, '/no-such-page', { headers: BROWSER }),
			redirect: await at(port, '/', { headers: BROWSER }),
			oauthError: await at(port, '/api/auth/token', {
				method: 'POST',
				headers: { 'content-type': 'application/x-www-form-urlencoded' },
				body: 'grant_type=nope'
			})
		};
		for (const [name, response] of Object.entries(responses)) {
			const hsts = response.headers.get('strict-transport-security');
			expect(hsts, `${name} (${response.status})`).toMatch(HSTS);
			expect(Number(hsts!.match(HSTS)![1]), name).toBeGreaterThanOrEqual(31_536_000);
		}
		expect(responses.redirect.status).toBeGreaterThanOrEqual(300);
		expect(responses.notFound.status).toBe(404);
		expect(((await responses.discovery.json()) as { issuer: string }).issuer).toBe(`https://localhost:${port}`);
	});

	it('both demo sites send HSTS when their origin is https', async () => {
		for (const port of [allHTTPSPort + 1, allHTTPSPort + 2]) {
			const home = await at(port, '/', { headers: BROWSER });
			expect(home.status).toBe(200);
			expect(home.headers.get('strict-transport-security')).toMatch(HSTS);
		}
	});

	it('http origins never send HSTS (it would pin a development host to https)', async () => {
		for (const [port, path] of [
			[mixedPort, '/.well-known/openid-configuration'],
			[mixedPort, '/auth/login'],
			[mixedPort + 2, '/']
		] as const) {
			const response = await at(port, path, { headers: BROWSER });
			expect(response.headers.get('strict-transport-security'), `${port}${path}`).toBeNull();
		}
		// The https site on the same process does send it.
		expect((await at(mixedPort + 1, '/', { headers: BROWSER })).headers.get('strict-transport-security')).toMatch(HSTS);
	});
});

describe('https origins: __Host- cookies', () => {
	it('the provider session cookie is __Host-op_session: Secure, Path=/, no Domain; op_session is neither set nor read', async () => {
		const response = await signInJSON(allHTTPSPort);
		expect(response.status).toBe(200);
		const cookie = cookieNamed(response, '__Host-op_session');
		expect(cookie).toBeTruthy();
		expect(cookie!.attributes).toEqual(expect.arrayContaining(['secure', 'path=/', 'httponly', 'samesite=lax']));
		expect(cookie!.attributes.some((a) => a.startsWith('domain='))).toBe(false);
		expect(cookieNamed(response, 'op_session')).toBeUndefined();

		const signedIn = await at(allHTTPSPort, '/api/auth/session', { headers: { cookie: `__Host-op_session=${cookie!.value}` } });
		expect(((await signedIn.json()) as { user?: { email: string } } | null)?.user?.email).toBe(DEMO.email);
		// A cookie without the prefix (which a sibling host or an http response could plant) is not a session.
		const planted = await at(allHTTPSPort, '/api/auth/session', { headers: { cookie: `op_session=${cookie!.value}` } });
		expect(await planted.json()).toBeNull();
	});

	it('on http the provider keeps the plain op_session name (browsers refuse __Host- without Secure)', async () => {
		const response = await signInJSON(mixedPort);
		expect(cookieNamed(response, 'op_session')).toBeTruthy();
		expect(cookieNamed(response, '__Host-op_session')).toBeUndefined();
	});

	it('an https demo site uses __Host-rp_site1_signin and __Host-rp_site1_session through a whole sign-in', async () => {
		const site = mixedPort + 1;
		const providerCookie = `op_session=${cookieNamed(await signInJSON(mixedPort), 'op_session')!.value}`;
		const start = await at(site, '/auth/sign-in', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...BROWSER }, body: '' });
		expect(start.status).toBe(303);
		const flow = cookieNamed(start, '__Host-rp_site1_signin');
		expect(flow).toBeTruthy();
		expect(flow!.attributes).toEqual(expect.arrayContaining(['secure', 'path=/', 'httponly']));
		expect(flow!.attributes.some((a) => a.startsWith('domain='))).toBe(false);
		expect(cookieNamed(start, 'rp_site1_signin')).toBeUndefined();

		const authorize = new URL(start.headers.get('location')!);
		const answer = await at(mixedPort, authorize.pathname + authorize.search, { headers: { cookie: providerCookie, ...BROWSER } });
		expect(answer.status).toBe(302);
		const callback = new URL(answer.headers.get('location')!);
		expect(callback.origin).toBe(`https://localhost:${site}`);
		const finished = await at(site, callback.pathname + callback.search, { headers: { cookie: `__Host-rp_site1_signin=${flow!.value}`, ...BROWSER } });
		expect(finished.status).toBe(303);
		const session = cookieNamed(finished, '__Host-rp_site1_session');
		expect(session).toBeTruthy();
		expect(session!.attributes).toEqual(expect.arrayContaining(['secure', 'path=/', 'httponly']));
		expect(cookieNamed(finished, 'rp_site1_session')).toBeUndefined();

		const home = await at(site, '/', { headers: { cookie: `__Host-rp_site1_session=${session!.value}`, ...BROWSER } });
		expect(await home.text()).toContain('Welcome, Demo User');
		const planted = await at(site, '/', { headers: { cookie: `rp_site1_session=${session!.value}`, ...BROWSER } });
		expect(await planted.text()).not.toContain('Welcome, Demo User');
	});

	it('the http demo site keeps rp_site2_signin', async () => {
		const start = await at(mixedPort + 2, '/auth/sign-in', {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded', ...BROWSER },
			body: ''
		});
		expect(cookieNamed(start, 'rp_site2_signin')).toBeTruthy();
		expect(cookieNamed(start, '__Host-rp_site2_signin')).toBeUndefined();
	});
});
