import { describe, expect, it } from 'vitest';
import { describeUpstreams, loadUpstreams, upstreamButtons, upstreamCallbackURL } from './config-upstreams';

describe('upstream configuration (GITHUB_*, GOOGLE_*, UPSTREAM_OIDC)', () => {
	it('nothing configured: no upstream, so the sign-in page shows no button', () => {
		expect(loadUpstreams({}).providers).toEqual([]);
		expect(upstreamButtons(loadUpstreams({}), null)).toEqual([]);
	});

	it('GitHub and Google default to the real endpoints', () => {
		const { providers, timeoutSeconds } = loadUpstreams({ GITHUB_CLIENT_ID: 'a', GITHUB_CLIENT_SECRET: 'b', GOOGLE_CLIENT_ID: 'c', GOOGLE_CLIENT_SECRET: 'd' });
		expect(providers[0]).toMatchObject({
			id: 'github',
			authorizeURL: 'https://github.com/login/oauth/authorize',
			tokenURL: 'https://github.com/login/oauth/access_token',
			apiURL: 'https://api.github.com'
		});
		expect(providers[1]).toMatchObject({
			id: 'google',
			discoveryURL: 'https://accounts.google.com/.well-known/openid-configuration',
			issuer: 'https://accounts.google.com',
			issuerAliases: ['accounts.google.com']
		});
		expect(timeoutSeconds).toBe(10);
	});

	it('half a client registration fails at start naming the missing variable', () => {
		expect(() => loadUpstreams({ GITHUB_CLIENT_ID: 'a' })).toThrow('GITHUB_CLIENT_SECRET is not set');
		expect(() => loadUpstreams({ GOOGLE_CLIENT_SECRET: 'a' })).toThrow('GOOGLE_CLIENT_ID is not set');
	});

	it('endpoints must be https (http only on loopback)', () => {
		expect(() => loadUpstreams({ GITHUB_CLIENT_ID: 'a', GITHUB_CLIENT_SECRET: 'b', GITHUB_TOKEN_URL: 'http://github.example/token' })).toThrow(
			'GITHUB_TOKEN_URL is invalid'
		);
		expect(loadUpstreams({ GITHUB_CLIENT_ID: 'a', GITHUB_CLIENT_SECRET: 'b', GITHUB_TOKEN_URL: 'http://127.0.0.1:9/token' }).providers[0]).toMatchObject({
			tokenURL: 'http://127.0.0.1:9/token'
		});
	});

	it('UPSTREAM_OIDC: generic providers by discovery URL or issuer; openid is always asked for', () => {
		const { providers } = loadUpstreams({
			UPSTREAM_OIDC: JSON.stringify([
				{
					id: 'keycloak',
					name: 'Company SSO',
					discovery_url: 'https://sso.example.com/realms/staff/.well-known/openid-configuration',
					client_id: 'x',
					client_secret: 'y',
					scopes: ['email']
				},
				{ id: 'okta', name: 'Okta', issuer: 'https://example.okta.com', client_id: 'x', client_secret: 'y' }
			])
		});
		expect(providers[0]).toMatchObject({ id: 'keycloak', issuer: 'https://sso.example.com/realms/staff', scopes: ['openid', 'email'] });
		expect(providers[1]).toMatchObject({
			discoveryURL: 'https://example.okta.com/.well-known/openid-configuration',
			issuer: 'https://example.okta.com',
			scopes: ['openid', 'email', 'profile']
		});
	});

	it.each([
		['not JSON', '{', 'UPSTREAM_OIDC is invalid: not JSON'],
		['not an array', '{}', 'expected a JSON array'],
		['missing client_id', '[{"id":"a","name":"A","issuer":"https://a.example"}]', 'UPSTREAM_OIDC[0].client_id is not set'],
		['id not a URL segment', '[{"id":"A/B","name":"A","issuer":"https://a.example","client_id":"x","client_secret":"y"}]', 'UPSTREAM_OIDC[0].id is invalid'],
		['reserved id', '[{"id":"link","name":"A","issuer":"https://a.example","client_id":"x","client_secret":"y"}]', 'UPSTREAM_OIDC[0].id is invalid'],
		['no discovery', '[{"id":"a","name":"A","client_id":"x","client_secret":"y"}]', 'UPSTREAM_OIDC[0].discovery_url is not set'],
		[
			'discovery without the well-known path',
			'[{"id":"a","name":"A","discovery_url":"https://a.example/","client_id":"x","client_secret":"y"}]',
			'must end with /.well-known/openid-configuration'
		],
		[
			'scopes not a list',
			'[{"id":"a","name":"A","issuer":"https://a.example","client_id":"x","client_secret":"y","scopes":5}]',
			'UPSTREAM_OIDC[0].scopes is invalid'
		]
	])('UPSTREAM_OIDC %s fails at start with a clear message', (_, json, message) => {
		expect(() => loadUpstreams({ UPSTREAM_OIDC: json })).toThrow(message);
	});

	it('an id used twice is refused', () => {
		const entry = { id: 'github', name: 'X', issuer: 'https://x.example', client_id: 'x', client_secret: 'y' };
		expect(() => loadUpstreams({ GITHUB_CLIENT_ID: 'a', GITHUB_CLIENT_SECRET: 'b', UPSTREAM_OIDC: JSON.stringify([entry]) })).toThrow('used twice');
	});

	it('UPSTREAM_TIMEOUT_SECONDS is 1 to 60', () => {
		expect(loadUpstreams({ UPSTREAM_TIMEOUT_SECONDS: '3' }).timeoutSeconds).toBe(3);
		expect(() => loadUpstreams({ UPSTREAM_TIMEOUT_SECONDS: '0' })).toThrow('UPSTREAM_TIMEOUT_SECONDS');
		expect(() => loadUpstreams({ UPSTREAM_TIMEOUT_SECONDS: 'soon' })).toThrow('UPSTREAM_TIMEOUT_SECONDS');
	});

	it('the start-up lines name the callback URL to register; the buttons carry return_to', () => {
		const upstreams = loadUpstreams({ GITHUB_CLIENT_ID: 'a', GITHUB_CLIENT_SECRET: 'b' });
		expect(upstreamCallbackURL('https://id.example.com', 'github')).toBe('https://id.example.com/auth/upstream/github/callback');
		expect(describeUpstreams('https://id.example.com', upstreams).join('\n')).toContain('https://id.example.com/auth/upstream/github/callback');
		expect(upstreamButtons(upstreams, '/api/auth/authorize?client_id=x&state=y')).toEqual([
			{ name: 'GitHub', href: '/auth/upstream/github?return_to=%2Fapi%2Fauth%2Fauthorize%3Fclient_id%3Dx%26state%3Dy' }
		]);
	});
});
