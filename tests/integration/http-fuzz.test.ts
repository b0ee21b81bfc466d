// No response to bad input is a 500: malformed bodies, wrong content types, huge parameters,
// non-UTF-8 percent-encoding and NUL bytes, at every provider endpoint.
import { describe, expect, it } from 'vitest';
import { basicAuthorization, DASHBOARD, servers, signIn, WIKI } from '../support/http';

const { provider, site1 } = servers();
const CALLBACK = encodeURIComponent(`${site1}/auth/callback`);
const HUGE = 'a'.repeat(1024 * 1024);
const LARGE = 'a'.repeat(100 * 1024);

type Case = [string, () => Promise<Response>];

const post = (path: string, body: BodyInit | null, headers: Record<string, string> = {}) =>
	fetch(`${provider}${path}`, { method: 'POST', body, headers, redirect: 'manual' });
const getPath = (path: string, headers: Record<string, string> = {}) => fetch(`${provider}${path}`, { headers, redirect: 'manual' });
const form = { 'content-type': 'application/x-www-form-urlencoded' };
const json = { 'content-type': 'application/json' };
// team-wiki is registered for client_secret_basic, so these requests get past client authentication.
const clientBasic = { authorization: basicAuthorization(WIKI.id, WIKI.secret) };

const tokenCases: Case[] = [
	['token: malformed JSON with a JSON content type', () => post('/api/auth/token', '{"grant_type":', json)],
	['token: text/plain body', () => post('/api/auth/token', 'grant_type=authorization_code', { 'content-type': 'text/plain' })],
	['token: no content type', () => post('/api/auth/token', 'grant_type=authorization_code')],
	[
		'token: multipart/form-data',
		() => {
			const body = new FormData();
			body.set('grant_type', 'authorization_code');
			return post('/api/auth/token', body);
		}
	],
	['token: empty body', () => post('/api/auth/token', '', form)],
	['token: 1 MiB body', () => post('/api/auth/token', `grant_type=authorization_code&code=${HUGE}`, form)],
	['token: 100 KiB client_id', () => post('/api/auth/token', `grant_type=authorization_code&code=x&client_id=${LARGE}&client_secret=x`, form)],
	['token: 100 KiB code', () => post('/api/auth/token', `grant_type=authorization_code&code=${LARGE}&redirect_uri=${CALLBACK}`, { ...form, ...clientBasic })],
	[
		'token: non-UTF-8 percent-encoding',
		() => post('/api/auth/token', 'grant_type=authorization_code&code=%FF%FE%C0&redirect_uri=%E0%A4%A', { ...form, ...clientBasic })
	],
	['token: raw non-UTF-8 bytes', () => post('/api/auth/token', Buffer.from([0x67, 0x3d, 0xff, 0xfe, 0x26, 0xc0]), form)],
	['token: NUL in client_id', () => post('/api/auth/token', 'grant_type=authorization_code&code=x&client_id=%00&client_secret=x', form)],
	['token: NUL in code', () => post('/api/auth/token', `grant_type=authorization_code&code=%00&redirect_uri=${CALLBACK}`, { ...form, ...clientBasic })],
	['token: NUL in refresh_token', () => post('/api/auth/token', 'grant_type=refresh_token&refresh_token=%00', { ...form, ...clientBasic })],
	[
		'token: NUL in Basic client id',
		() => post('/api/auth/token', 'grant_type=authorization_code&code=x', { ...form, authorization: `Basic ${Buffer.from('%00:x').toString('base64')}` })
	],
	['token: malformed Basic', () => post('/api/auth/token', 'grant_type=authorization_code&code=x', { ...form, authorization: 'Basic %%%' })],
	[
		'token: Basic with bad percent-encoding',
		() => post('/api/auth/token', 'grant_type=authorization_code&code=x', { ...form, authorization: `Basic ${Buffer.from('%E0%A4%A:x').toString('base64')}` })
	],
	['token: GET', () => getPath('/api/auth/token')],
	['token: PUT', () => fetch(`${provider}/api/auth/token`, { method: 'PUT', body: 'x', headers: form })],
	['token: parameters with no names', () => post('/api/auth/token', '=&=&&&=x', form)],
	[
		'token: unknown parameters',
		() =>
			post('/api/auth/token', `grant_type=authorization_code&code=x&redirect_uri=${CALLBACK}&foo[bar]=1&__proto__=x&constructor=y`, { ...form, ...clientBasic })
	]
];

const jsonEndpointCases: Case[] = (['/api/auth/sign-up/email', '/api/auth/sign-in/email'] as const).flatMap((path): Case[] => [
	[`${path}: malformed JSON`, () => post(path, '{"email": "a@example.com",', json)],
	[`${path}: JSON array`, () => post(path, '[1,2,3]', json)],
	[`${path}: JSON null`, () => post(path, 'null', json)],
	[`${path}: form body`, () => post(path, 'email=a%40example.com&password=x', form)],
	[`${path}: text/plain`, () => post(path, '{"email":"a@example.com"}', { 'content-type': 'text/plain' })],
	[`${path}: no body`, () => post(path, null, json)],
	[`${path}: 1 MiB JSON`, () => post(path, JSON.stringify({ email: 'a@example.com', password: HUGE, name: 'x' }), json)],
	[`${path}: non-UTF-8 bytes`, () => post(path, Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), json)],
	[`${path}: wrong field types`, () => post(path, JSON.stringify({ email: ['a@example.com'], password: { x: 1 }, name: 42 }), json)],
	[`${path}: prototype keys`, () => post(path, '{"__proto__":{"password":"x"},"constructor":1,"email":"a@example.com","password":"TestPass123!"}', json)],
	[`${path}: NUL in the email`, () => post(path, JSON.stringify({ email: `nul\u0000${Date.now()}@example.com`, password: 'TestPass123!', name: 'Nul' }), json)],
	[
		`${path}: NUL in the name and password`,
		() => post(path, JSON.stringify({ email: `nulname${Date.now()}@example.com`, password: 'Test\u0000Pass123!', name: 'Nul\u0000Name' }), json)
	],
	[`${path}: lone surrogates`, () => post(path, '{"email":"\\ud800@example.com","password":"\\udfffTestPass123!","name":"\\ud800"}', json)],
	[`${path}: 10 KiB password`, () => post(path, JSON.stringify({ email: `long${Date.now()}@example.com`, password: 'p'.repeat(10_000), name: 'Long' }), json)]
]);

const authorizeCases: Case[] = [
	['authorize: no parameters', () => getPath('/api/auth/authorize')],
	['authorize: non-UTF-8 client_id', () => getPath('/api/auth/authorize?client_id=%FF%FE&response_type=code')],
	['authorize: NUL client_id', () => getPath('/api/auth/authorize?client_id=%00&response_type=code')],
	['authorize: NUL in redirect_uri', () => getPath(`/api/auth/authorize?client_id=${DASHBOARD.id}&redirect_uri=%00&response_type=code&scope=openid`)],
	[
		'authorize: NUL in state and nonce',
		() => getPath(`/api/auth/authorize?client_id=${DASHBOARD.id}&redirect_uri=${CALLBACK}&response_type=code&scope=openid&state=%00&nonce=%00`)
	],
	['authorize: broken percent-encoding', () => getPath('/api/auth/authorize?client_id=%E0%A4%A&redirect_uri=%')],
	[
		'authorize: 12 KiB state',
		() => getPath(`/api/auth/authorize?client_id=${DASHBOARD.id}&redirect_uri=${CALLBACK}&response_type=code&scope=openid&state=${'s'.repeat(12 * 1024)}`)
	],
	['authorize: 64 KiB query (over the header limit)', () => getPath(`/api/auth/authorize?client_id=${DASHBOARD.id}&state=${'s'.repeat(64 * 1024)}`)],
	[
		'authorize: malformed redirect_uri',
		() => getPath(`/api/auth/authorize?client_id=${DASHBOARD.id}&redirect_uri=http://[::1&response_type=code&scope=openid`)
	],
	['authorize: POST with JSON', () => post('/api/auth/authorize', JSON.stringify({ client_id: DASHBOARD.id }), json)],
	['authorize: POST with text/plain', () => post('/api/auth/authorize', 'client_id=x', { 'content-type': 'text/plain' })],
	['authorize: POST with a 1 MiB form', () => post('/api/auth/authorize', `client_id=${DASHBOARD.id}&state=${HUGE}`, form)],
	['authorize: POST with non-UTF-8 form', () => post('/api/auth/authorize', 'client_id=%FF&redirect_uri=%E0%A4%A', form)],
	[
		'authorize: max_age and prompt garbage',
		() =>
			getPath(`/api/auth/authorize?client_id=${DASHBOARD.id}&redirect_uri=${CALLBACK}&response_type=code&scope=openid&max_age=99999999999999999999&prompt=%00`)
	]
];

const otherCases: Case[] = [
	['userinfo: garbage bearer', () => getPath('/api/auth/userinfo', { authorization: 'Bearer \u00ff\u00fe' })],
	['userinfo: empty bearer', () => getPath('/api/auth/userinfo', { authorization: 'Bearer ' })],
	['userinfo: 100 KiB bearer', () => getPath('/api/auth/userinfo', { authorization: `Bearer ${'a'.repeat(12 * 1024)}` })],
	['userinfo: POST JSON', () => post('/api/auth/userinfo', '{"access_token":1}', json)],
	['userinfo: POST form with a repeated access_token', () => post('/api/auth/userinfo', 'access_token=a&access_token=b', form)],
	['userinfo: POST malformed form', () => post('/api/auth/userinfo', 'access_token=%E0%A4%A', form)],
	[
		'userinfo: JWT with a huge kid',
		() => {
			const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'k'.repeat(5000), typ: 'at+jwt' })).toString('base64url');
			return getPath('/api/auth/userinfo', { authorization: `Bearer ${header}.e30.AAAA` });
		}
	],
	[
		'userinfo: JWT header with NUL kid',
		() => {
			const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: '\u0000', typ: 'at+jwt' })).toString('base64url');
			return getPath('/api/auth/userinfo', { authorization: `Bearer ${header}.e30.AAAA` });
		}
	],
	['session: malformed cookie', () => getPath('/api/auth/session', { cookie: 'op_session=%FF%FE' })],
	['session: NUL cookie', () => getPath('/api/auth/session', { cookie: 'op_session=%00.%00' })],
	['session: cookie with many dots', () => getPath('/api/auth/session', { cookie: 'op_session=a.b.c.d.e' })],
	['session: 8 KiB cookie', () => getPath('/api/auth/session', { cookie: `op_session=${'a'.repeat(4000)}.${'b'.repeat(4000)}` })],
	['jwks: POST', () => post('/api/auth/jwks', 'x', form)],
	['discovery: POST', () => post('/.well-known/openid-configuration', 'x', form)],
	['path: non-UTF-8 percent-encoding', () => getPath('/api/auth/%FF%FE')],
	['path: broken percent-encoding', () => getPath('/api/auth/%E0%A4%A')],
	['path: NUL', () => getPath('/api/auth/%00')],
	['login page: NUL return_to', () => getPath('/auth/login?return_to=%00')],
	['login form: NUL email', () => post('/auth/login', 'email=%00%40example.com&password=x', form)],
	['login form: non-UTF-8', () => post('/auth/login', 'email=%FF&password=%E0%A4%A', form)],
	['login form: JSON', () => post('/auth/login', '{"email":1}', json)],
	// HTML forms may post enctype="text/plain", so Kit lets it through to actions; formData() then throws.
	['login form: text/plain', () => post('/auth/login', 'email=a@example.com\r\npassword=x', { 'content-type': 'text/plain' })],
	['signup form: text/plain', () => post('/auth/signup', 'name=x\r\nemail=a@example.com', { 'content-type': 'text/plain' })],
	['logout form: text/plain', () => post('/auth/logout', 'x=1', { 'content-type': 'text/plain' })],
	['consent form: text/plain', () => post('/auth/consent', 'decision=allow', { 'content-type': 'text/plain' })],
	['signup form: NUL fields', () => post('/auth/signup', `name=%00&email=nulform${Date.now()}%00%40example.com&password=TestPass%00123`, form)],
	['consent page: garbage return_to', () => getPath('/auth/consent?return_to=%00')],
	['consent page: return_to to an unknown client', () => getPath(`/auth/consent?return_to=${encodeURIComponent('/api/auth/authorize?client_id=%00')}`)]
];

describe('no response to bad input is a 500', () => {
	it.each([...tokenCases, ...jsonEndpointCases, ...authorizeCases, ...otherCases])('%s', async (_, send) => {
		const response = await send();
		const body = await response.text();
		expect(response.status, body.slice(0, 300)).toBeLessThan(500);
	});

	it('the authorization endpoint has no __data.json route: an unknown path, 404', async () => {
		const response = await getPath(`/api/auth/authorize/__data.json?client_id=${DASHBOARD.id}`);
		expect(response.status).toBe(404);
	});

	it('a signed-in user sending bad input gets no 500 either', async () => {
		const cookie = await signIn();
		for (const path of [
			'/api/auth/authorize?client_id=%00',
			`/api/auth/authorize?client_id=${DASHBOARD.id}&redirect_uri=${CALLBACK}&response_type=code&scope=openid&state=%00&nonce=%00`,
			`/api/auth/authorize?client_id=${DASHBOARD.id}&redirect_uri=${CALLBACK}&response_type=code&scope=openid&login_hint=%00`,
			'/auth/login?return_to=%FF'
		]) {
			const response = await getPath(path, { cookie });
			expect(response.status, path).toBeLessThan(500);
		}
	});

	it("the token endpoint's errors stay RFC 6749 §5.2 JSON for malformed input", async () => {
		for (const body of ['grant_type=authorization_code&code=%FF%FE', '=&=&', 'grant_type=%00']) {
			const response = await post('/api/auth/token', body, { ...form, ...clientBasic });
			expect(response.status, body).toBeGreaterThanOrEqual(400);
			expect(response.status, body).toBeLessThan(500);
			expect(response.headers.get('content-type'), body).toMatch(/^application\/json/);
			expect(((await response.json()) as { error: string }).error, body).toMatch(/^[a-z_]+$/);
		}
	});
});
