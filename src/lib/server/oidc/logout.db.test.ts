import { createLocalJWKSet, decodeProtectedHeader, generateKeyPair, jwtVerify, SignJWT, UnsecuredJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	basicAuthorization,
	createTestClient,
	createTestSession,
	createTestUser,
	TEST_REDIRECT_URI,
	testClock,
	type TestClient,
	type TestUser
} from '../../../../tests/support/fixtures';
import { useTestDatabase } from '../../../../tests/support/database';
import { testProtocolContext } from '../../../../tests/support/protocol-context';
import { serveJWKS, type JWKSServer } from '../../../../tests/support/jwks-server';
import { form, rejectionOf, TEST_ISSUER } from '../../../../tests/support/oidc';
import { validateSessionToken } from '../auth/session';
import { verifyLogoutToken } from '../rp/verify';
import type { AuthorizationRequest } from './authorize';
import { issueAuthorizationCode } from './codes';
import { validateEndSessionRequest } from './end-session';
import { KeyStore } from './keys';
import { applicationsSignedOutWith, createLogoutToken, endProviderSession, LOGOUT_EVENT, verifyIDTokenHint, type BackchannelResult } from './logout';
import { handleTokenRequest } from './token-endpoint';
import type { TokenContext } from './token-policy';
import type { TokenResponse } from './token-response';
import { userInfo } from './userinfo';
import type { OutboundFormPOST } from '../outbound-request';

const database = useTestDatabase();
const clock = testClock();
let keys: KeyStore;
let ctx: TokenContext;
let user: TestUser;

/** A fake of the relying parties' back-channel endpoints: records each request, answers `status`. */
function fakeRelyingParties(statusFor: (url: string) => number = () => 200) {
	const requests: { url: string; form: URLSearchParams }[] = [];
	const post: OutboundFormPOST = async (url, form) => {
		requests.push({ url, form });
		return { status: statusFor(url) };
	};
	return { requests, post };
}

async function tokensFrom(client: TestClient, session: { id: string; authTime: Date }, scope = 'openid profile email'): Promise<TokenResponse> {
	const request: AuthorizationRequest = { client, redirectURI: TEST_REDIRECT_URI, scope, prompt: new Set(), nonce: 'n' };
	const code = await issueAuthorizationCode(
		database.db,
		request,
		{ sessionId: session.id, userId: user.id, authTime: session.authTime, amr: 'pwd' },
		clock.now()
	);
	return handleTokenRequest(
		ctx,
		basicAuthorization(client.id, client.secret!),
		form({ grant_type: 'authorization_code', code, redirect_uri: TEST_REDIRECT_URI })
	);
}

const refresh = (client: TestClient, refreshToken: string) =>
	handleTokenRequest(ctx, basicAuthorization(client.id, client.secret!), form({ grant_type: 'refresh_token', refresh_token: refreshToken }));

beforeAll(async () => {
	keys = new KeyStore(database.db, 'logout-test-secret');
	ctx = testProtocolContext(database.db, keys, clock.now);
	user = await createTestUser(database.db);
});

describe('endProviderSession (OIDC Back-Channel Logout 1.0 §2.5)', () => {
	let rpA: TestClient;
	let rpB: TestClient;
	let rpDown: TestClient;
	let rpWithoutBackchannel: TestClient;
	let rpOtherSession: TestClient;
	let sessionToken: string;
	let sessionId: string;
	let otherSessionToken: string;
	let tokens: Record<'a' | 'a2' | 'b' | 'none' | 'offline' | 'otherSession', TokenResponse>;
	let results: BackchannelResult[];
	let requests: { url: string; form: URLSearchParams }[];
	let listedBeforehand: string[];

	beforeAll(async () => {
		const bc = (name: string) => ({ backchannelLogoutURI: `https://${name}.example/auth/backchannel-logout` });
		rpA = await createTestClient(database.db, { trusted: true, ...bc('rp-a') });
		rpB = await createTestClient(database.db, { trusted: true, ...bc('rp-b') });
		rpDown = await createTestClient(database.db, { trusted: true, ...bc('rp-down') });
		rpWithoutBackchannel = await createTestClient(database.db, { trusted: true });
		rpOtherSession = await createTestClient(database.db, { trusted: true, ...bc('rp-other') });

		const { token, session } = await createTestSession(database.db, user.id, clock.now());
		const other = await createTestSession(database.db, user.id, clock.now());
		sessionToken = token;
		sessionId = session.id;
		otherSessionToken = other.token;
		tokens = {
			a: await tokensFrom(rpA, session),
			// A second grant of the same client from the same session: still one logout request.
			a2: await tokensFrom(rpA, session),
			b: await tokensFrom(rpB, session),
			none: await tokensFrom(rpWithoutBackchannel, session),
			offline: await tokensFrom(rpB, session, 'openid offline_access'),
			otherSession: await tokensFrom(rpOtherSession, other.session)
		};
		await tokensFrom(rpDown, session);

		listedBeforehand = await applicationsSignedOutWith(database.db, session.id);
		const fake = fakeRelyingParties((url) => (url.includes('rp-down') ? 500 : 200));
		requests = fake.requests;
		clock.advance(10);
		results = await endProviderSession(ctx, { id: session.id, userId: user.id }, { post: fake.post });
	});

	it("deletes the session; the user's other sessions stay", async () => {
		expect(await validateSessionToken(database.db, sessionToken, clock.now())).toBeNull();
		expect(await validateSessionToken(database.db, otherSessionToken, clock.now())).not.toBeNull();
	});

	it('revokes the grants made from that session: their access tokens and refresh tokens stop working', async () => {
		for (const key of ['a', 'a2', 'b', 'none'] as const) {
			const error = await rejectionOf(() => userInfo(ctx, tokens[key].access_token));
			expect(error.code, key).toBe('invalid_token');
		}
		expect((await rejectionOf(() => refresh(rpA, tokens.a.refresh_token!))).code).toBe('invalid_grant');
		expect((await rejectionOf(() => refresh(rpB, tokens.b.refresh_token!))).code).toBe('invalid_grant');
	});

	it('keeps offline_access grants (they are meant to outlive the browser session)', async () => {
		await expect(userInfo(ctx, tokens.offline.access_token)).resolves.toMatchObject({ sub: user.id });
		await expect(refresh(rpB, tokens.offline.refresh_token!)).resolves.toMatchObject({ token_type: 'Bearer' });
	});

	it('keeps grants made from another session', async () => {
		await expect(userInfo(ctx, tokens.otherSession.access_token)).resolves.toMatchObject({ sub: user.id });
	});

	it('POSTs once to each client with a backchannel_logout_uri that got a grant from the session, and to no other', () => {
		expect(requests.map((r) => r.url).sort()).toEqual(
			['https://rp-a.example/auth/backchannel-logout', 'https://rp-b.example/auth/backchannel-logout', 'https://rp-down.example/auth/backchannel-logout'].sort()
		);
		expect(requests.some((r) => r.url.includes('rp-other'))).toBe(false);
	});

	it('the "Sign out?" page\'s list (applicationsSignedOutWith) names exactly the clients that are then told, once each', () => {
		expect(listedBeforehand).toEqual([rpA.name, rpB.name, rpDown.name].sort((x, y) => x.localeCompare(y)));
		expect(listedBeforehand).toHaveLength(requests.length);
	});

	it('§2.5: each request is a form POST whose only parameter is logout_token (sent through the outbound policy: outbound-request.test.ts)', () => {
		for (const { form } of requests) expect([...form.keys()]).toEqual(['logout_token']);
	});

	it("reports each client's outcome; a failing client does not stop the others", () => {
		const byClient = Object.fromEntries(results.map((r) => [r.clientId, r]));
		expect(Object.keys(byClient).sort()).toEqual([rpA.id, rpB.id, rpDown.id].sort());
		expect(byClient[rpA.id]).toMatchObject({ ok: true });
		expect(byClient[rpB.id]).toMatchObject({ ok: true });
		expect(byClient[rpDown.id]).toMatchObject({ ok: false, detail: 'HTTP 500' });
	});

	it('§2.4: the logout token verifies with the published JWKS: typ logout+jwt, iss, aud = client_id, sub, sid, events, jti, iat, exp, no nonce', async () => {
		const jwks = createLocalJWKSet(JSON.parse(await keys.publicJWKS()));
		const jtis = new Set<string>();
		for (const { url, form } of requests) {
			const client = [rpA, rpB, rpDown].find((c) => c.backchannelLogoutURI === url)!;
			const logoutToken = form.get('logout_token')!;
			const { payload, protectedHeader } = await jwtVerify(logoutToken, jwks, {
				issuer: TEST_ISSUER,
				audience: client.id,
				typ: 'logout+jwt',
				currentDate: clock.now()
			});
			expect(protectedHeader).toMatchObject({ typ: 'logout+jwt', alg: 'RS256', kid: expect.any(String) });
			const iat = Math.floor(clock.now().getTime() / 1000);
			expect(payload).toMatchObject({ iss: TEST_ISSUER, aud: client.id, sub: user.id, sid: sessionId, iat });
			expect(payload.exp).toBeGreaterThan(iat);
			expect(payload.exp).toBeLessThanOrEqual(iat + 300);
			expect(payload.events).toEqual({ [LOGOUT_EVENT]: {} });
			expect(LOGOUT_EVENT).toBe('http://schemas.openid.net/event/backchannel-logout');
			expect(payload).not.toHaveProperty('nonce');
			expect(payload.jti).toBeTypeOf('string');
			jtis.add(payload.jti as string);
		}
		expect(jtis.size).toBe(requests.length);
	});
});

describe('endProviderSession: unreachable relying parties', () => {
	it('a network error or a client that hangs past the timeout is reported, and the session still ends', async () => {
		const throwing = await createTestClient(database.db, { trusted: true, backchannelLogoutURI: 'https://rp-throws.example/bc' });
		const hanging = await createTestClient(database.db, { trusted: true, backchannelLogoutURI: 'https://rp-hangs.example/bc' });
		const healthy = await createTestClient(database.db, { trusted: true, backchannelLogoutURI: 'https://rp-ok.example/bc' });
		const { token, session } = await createTestSession(database.db, user.id, clock.now());
		for (const client of [throwing, hanging, healthy]) await tokensFrom(client, session);
		const post: OutboundFormPOST = (url) => {
			if (url.includes('throws')) return Promise.reject(new TypeError('fetch failed'));
			if (url.includes('hangs')) return new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 100 ms')), 100));
			return Promise.resolve({ status: 200 });
		};
		const started = Date.now();
		const results = await endProviderSession(ctx, { id: session.id, userId: user.id }, { post });
		expect(Date.now() - started).toBeLessThan(5000);
		const byClient = Object.fromEntries(results.map((r) => [r.clientId, r]));
		expect(byClient[throwing.id]).toMatchObject({ ok: false, detail: 'fetch failed' });
		expect(byClient[hanging.id].ok).toBe(false);
		expect(byClient[healthy.id].ok).toBe(true);
		expect(await validateSessionToken(database.db, token, clock.now())).toBeNull();
	});
});

describe("the logout token passes a relying party's validation (rp/verify.ts over HTTP)", () => {
	let server: JWKSServer;
	beforeAll(async () => {
		server = await serveJWKS(() => keys.publicJWKS());
	});
	afterAll(async () => {
		await server?.close();
	});

	it("verifyLogoutToken accepts createLogoutToken's token and returns sid and sub", async () => {
		const token = await createLogoutToken({ ...ctx, clock: () => new Date() }, { clientId: 'rp-client', subject: 'user-123', sessionId: 'session-456' });
		await expect(verifyLogoutToken(token, { issuer: TEST_ISSUER, clientId: 'rp-client', jwksURI: server.url })).resolves.toEqual({
			sid: 'session-456',
			sub: 'user-123',
			jti: expect.any(String),
			expiresAt: expect.any(Date)
		});
		await expect(verifyLogoutToken(token, { issuer: TEST_ISSUER, clientId: 'another-client', jwksURI: server.url })).rejects.toThrow();
	});
});

describe('verifyIDTokenHint (RP-Initiated Logout 1.0 §2)', () => {
	let client: TestClient;
	let es256Client: TestClient;
	let expiredIDToken: string;
	let accessToken: string;
	let sessionId: string;

	beforeAll(async () => {
		client = await createTestClient(database.db, { trusted: true });
		es256Client = await createTestClient(database.db, { trusted: true, idTokenSignedResponseAlg: 'ES256' });
		const { session } = await createTestSession(database.db, user.id, clock.now());
		sessionId = session.id;
		const tokens = await tokensFrom(client, session);
		expiredIDToken = tokens.id_token!;
		accessToken = tokens.access_token;
	});

	it('accepts an ID token of ours that has EXPIRED (sign-out often comes long after sign-in)', async () => {
		const exp = (JSON.parse(Buffer.from(expiredIDToken.split('.')[1], 'base64url').toString()) as JWTPayload).exp!;
		// The test clock is in the past: this token expired long before the real now.
		expect(exp * 1000).toBeLessThan(Date.now());
		expect(await verifyIDTokenHint(ctx, expiredIDToken)).toEqual({ sub: user.id, aud: [client.id], sid: sessionId });
	});

	it("accepts an ID token signed with ES256 (the client's registered algorithm)", async () => {
		const { session } = await createTestSession(database.db, user.id, clock.now());
		const tokens = await tokensFrom(es256Client, session);
		expect(decodeProtectedHeader(tokens.id_token!).alg).toBe('ES256');
		expect(await verifyIDTokenHint(ctx, tokens.id_token!)).toMatchObject({ sub: user.id, aud: [es256Client.id] });
	});

	it('refuses a token signed by another key, even with our kid and claims', async () => {
		const { privateKey } = await generateKeyPair('RS256');
		const kid = decodeProtectedHeader(expiredIDToken).kid!;
		const forged = await new SignJWT({ sid: sessionId })
			.setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
			.setIssuer(TEST_ISSUER)
			.setAudience(client.id)
			.setSubject(user.id)
			.setIssuedAt()
			.setExpirationTime('1h')
			.sign(privateKey);
		expect(await verifyIDTokenHint(ctx, forged)).toBeNull();
	});

	it('refuses a token of another issuer, even signed with our key', async () => {
		const key = await keys.signingKey('RS256');
		const foreign = await new SignJWT({})
			.setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
			.setIssuer('https://evil.example')
			.setAudience(client.id)
			.setSubject(user.id)
			.setIssuedAt()
			.sign(key.privateKey);
		expect(await verifyIDTokenHint(ctx, foreign)).toBeNull();
	});

	it('refuses an access token (typ at+jwt) and a logout token (typ logout+jwt)', async () => {
		expect(await verifyIDTokenHint(ctx, accessToken)).toBeNull();
		const logoutToken = await createLogoutToken(ctx, { clientId: client.id, subject: user.id, sessionId });
		expect(await verifyIDTokenHint(ctx, logoutToken)).toBeNull();
	});

	it('refuses a token without sub or aud', async () => {
		const key = await keys.signingKey('RS256');
		const sign = (claims: JWTPayload) =>
			new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' }).setIssuer(TEST_ISSUER).sign(key.privateKey);
		expect(await verifyIDTokenHint(ctx, await sign({ aud: client.id }))).toBeNull();
		expect(await verifyIDTokenHint(ctx, await sign({ sub: user.id }))).toBeNull();
	});

	it.each([
		['garbage', 'garbage'],
		['three empty parts', '..'],
		['a tampered payload', null],
		['an unsigned token (alg none)', new UnsecuredJWT({ sub: 'x', aud: 'y' }).setIssuer(TEST_ISSUER).encode()]
	])('refuses %s', async (_, value) => {
		let token = value;
		if (token === null) {
			const [h, p, s] = expiredIDToken.split('.');
			const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
			token = `${h}.${Buffer.from(JSON.stringify({ ...payload, sub: 'someone-else' })).toString('base64url')}.${s}`;
		}
		expect(await verifyIDTokenHint(ctx, token)).toBeNull();
	});
});

describe('validateEndSessionRequest (RP-Initiated Logout 1.0 §2-3)', () => {
	let rp: TestClient;
	let otherRP: TestClient;
	let hint: string;

	beforeAll(async () => {
		rp = await createTestClient(database.db, { trusted: true, postLogoutRedirectURIs: ['https://rp.example.com/', 'https://rp.example.com/bye?from=op'] });
		otherRP = await createTestClient(database.db, { trusted: true, postLogoutRedirectURIs: ['https://other.example.com/'] });
		const { session } = await createTestSession(database.db, user.id, clock.now());
		hint = (await tokensFrom(rp, session)).id_token!;
	});

	const validate = (params: Record<string, string> | string) => validateEndSessionRequest(ctx, new URLSearchParams(params));

	async function accepted(params: Record<string, string>) {
		const result = await validate(params);
		if (!('request' in result)) throw new Error(`expected success, got ${result.error.message}`);
		return result.request;
	}

	async function refused(params: Record<string, string> | string) {
		const result = await validate(params);
		if (!('error' in result)) throw new Error(`expected an error, got ${JSON.stringify(result.request.redirectTo)}`);
		expect(result.error.code).toBe('invalid_request');
		return result.error;
	}

	it('hint + registered post_logout_redirect_uri + state → redirectTo with state appended; the client comes from the hint', async () => {
		const request = await accepted({ id_token_hint: hint, post_logout_redirect_uri: 'https://rp.example.com/', state: 'xyz 1/2' });
		expect(request.redirectTo).toBe('https://rp.example.com/?state=xyz+1%2F2');
		expect(new URL(request.redirectTo!).searchParams.get('state')).toBe('xyz 1/2');
		expect(request.client?.id).toBe(rp.id);
		expect(request.hint).toMatchObject({ sub: user.id, aud: [rp.id] });
	});

	it('a registered URI with a query keeps it, and state is added', async () => {
		const request = await accepted({ id_token_hint: hint, post_logout_redirect_uri: 'https://rp.example.com/bye?from=op', state: 's1' });
		expect(request.redirectTo).toBe('https://rp.example.com/bye?from=op&state=s1');
	});

	it('no state → no state parameter', async () => {
		expect((await accepted({ id_token_hint: hint, post_logout_redirect_uri: 'https://rp.example.com/' })).redirectTo).toBe('https://rp.example.com/');
	});

	it('client_id alone identifies the client for post_logout_redirect_uri', async () => {
		const request = await accepted({ client_id: rp.id, post_logout_redirect_uri: 'https://rp.example.com/', state: 'abc' });
		expect(request.redirectTo).toBe('https://rp.example.com/?state=abc');
		expect(request.hint).toBeNull();
	});

	it('hint and the matching client_id together are fine', async () => {
		expect((await accepted({ id_token_hint: hint, client_id: rp.id, post_logout_redirect_uri: 'https://rp.example.com/' })).client?.id).toBe(rp.id);
	});

	it('no parameters at all: a valid request with nothing to redirect to', async () => {
		expect(await accepted({})).toEqual({ hint: null, client: null, redirectTo: null });
	});

	it('state without post_logout_redirect_uri: nothing to redirect to', async () => {
		expect((await accepted({ id_token_hint: hint, state: 'abc' })).redirectTo).toBeNull();
	});

	it.each([
		['another path', 'https://rp.example.com/evil'],
		['no trailing slash', 'https://rp.example.com'],
		['an extra query', 'https://rp.example.com/?next=https://evil.example'],
		['another host', 'https://evil.example/'],
		['http instead of https', 'http://rp.example.com/'],
		['a dot segment', 'https://rp.example.com/bye/../']
	])('§3: an unregistered post_logout_redirect_uri (%s) → error, never a redirect', async (_, uri) => {
		await refused({ id_token_hint: hint, post_logout_redirect_uri: uri });
	});

	it('a URI registered for ANOTHER client is refused', async () => {
		await refused({ id_token_hint: hint, post_logout_redirect_uri: 'https://other.example.com/' });
		await refused({ client_id: rp.id, post_logout_redirect_uri: 'https://other.example.com/' });
	});

	it('client_id that is not an audience of the hint → error', async () => {
		await refused({ id_token_hint: hint, client_id: otherRP.id, post_logout_redirect_uri: 'https://other.example.com/' });
		await refused({ id_token_hint: hint, client_id: otherRP.id });
	});

	it('post_logout_redirect_uri without client_id or id_token_hint → error', async () => {
		await refused({ post_logout_redirect_uri: 'https://rp.example.com/', state: 'x' });
	});

	it('an id_token_hint we did not issue → error', async () => {
		await refused({ id_token_hint: 'garbage', post_logout_redirect_uri: 'https://rp.example.com/' });
	});

	it('an unknown client_id → error', async () => {
		await refused({ client_id: 'no-such-client' });
	});

	it('a repeated parameter → error', async () => {
		await refused(`client_id=${rp.id}&post_logout_redirect_uri=https%3A%2F%2Frp.example.com%2F&post_logout_redirect_uri=https%3A%2F%2Fevil.example%2F`);
	});
});
