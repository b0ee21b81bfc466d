import { beforeAll, describe, expect, it } from 'vitest';
import { createTestClient, createTestUser, TEST_REDIRECT_URI, type TestClient, type TestUser } from '../../../../tests/support/fixtures';
import { useTestDatabase } from '../../../../tests/support/database';
import { createSession, type SessionWithUser } from '../auth/session';
import { authorizationEndpoint, type AuthorizationEndpointOptions, type AuthorizationOutcome } from './authorization-endpoint';
import type { ProtocolContext } from './context';
import { KeyStore } from './keys';

const database = useTestDatabase();
const ISSUER = 'https://op.example.com';
const NOW = new Date('2026-03-01T12:00:00Z');
const GET: AuthorizationEndpointOptions = { method: 'GET', explainRejections: false };

let ctx: ProtocolContext;
let trusted: TestClient;
let selfRegistered: TestClient;
let user: TestUser;
let session: SessionWithUser;

beforeAll(async () => {
	const db = database.db;
	ctx = { issuer: ISSUER, db, keys: new KeyStore(db, 'authorization-endpoint-test-secret'), clock: () => NOW };
	trusted = await createTestClient(db, { trusted: true });
	selfRegistered = await createTestClient(db, { trusted: false, selfRegistered: true });
	user = await createTestUser(db);
	// Signed in an hour before the fixed clock.
	const created = await createSession(db, user.id, { now: new Date(NOW.getTime() - 3600_000) });
	session = { ...created.session, user: { id: user.id, email: user.email, emailVerified: true, name: user.name } };
});

function request(client: { id: string }, overrides: Record<string, string> = {}): URLSearchParams {
	return new URLSearchParams({ client_id: client.id, redirect_uri: TEST_REDIRECT_URI, response_type: 'code', scope: 'openid', state: 'st', ...overrides });
}

function redirectOf(outcome: AuthorizationOutcome): { location: URL; status: number } {
	if (!('redirect' in outcome)) throw new Error(`expected a redirect, got ${JSON.stringify(outcome)}`);
	return { location: new URL(outcome.redirect.location, ISSUER), status: outcome.redirect.status };
}

describe('authorizationEndpoint: an outcome, never a thrown redirect (OIDC Core §3.1.2)', () => {
	it('signed out → the login page, 302 after GET and 303 after POST (RFC 6749 §4.1.2)', async () => {
		const get = redirectOf(await authorizationEndpoint(ctx, request(trusted), null, GET));
		expect(get.status).toBe(302);
		expect(get.location.pathname).toBe('/auth/login');
		expect(get.location.searchParams.get('return_to')).toMatch(/^\/api\/auth\/authorize\?/);
		const post = redirectOf(await authorizationEndpoint(ctx, request(trusted), null, { ...GET, method: 'POST' }));
		expect(post.status).toBe(303);
	});

	it('signed in to a trusted client → a code for the redirect URI, with state and iss', async () => {
		const { location } = redirectOf(await authorizationEndpoint(ctx, request(trusted), session, GET));
		expect(location.origin + location.pathname).toBe(TEST_REDIRECT_URI);
		expect(location.searchParams.get('code')).toBeTruthy();
		expect(location.searchParams.get('state')).toBe('st');
		expect(location.searchParams.get('iss')).toBe(ISSUER);
	});

	it('max_age is judged by the context clock: a sign-in older than max_age → sign in again', async () => {
		const { location } = redirectOf(await authorizationEndpoint(ctx, request(trusted, { max_age: '60' }), session, GET));
		expect(location.pathname).toBe('/auth/login');
		expect(location.searchParams.get('prompt')).toBe('login');
	});

	it('an unknown client → rejected, shown on the provider (RFC 6749 §4.1.2.1)', async () => {
		const outcome = await authorizationEndpoint(ctx, request({ id: 'no-such-client' }), null, GET);
		expect(outcome).toMatchObject({ rejected: { code: 'invalid_request' } });
		expect(outcome).not.toHaveProperty('developer');
	});

	it('with explainRejections, the rejection carries the rule it broke', async () => {
		const outcome = await authorizationEndpoint(ctx, request(trusted, { redirect_uri: 'https://evil.example/cb' }), null, { ...GET, explainRejections: true });
		expect(outcome).toMatchObject({ rejected: { code: 'invalid_request' }, developer: { code: 'invalid_request' } });
	});

	it('an error for a trusted client is redirected; for a self-registered one it is shown first (RFC 9700 §4.11.2)', async () => {
		const { location } = redirectOf(await authorizationEndpoint(ctx, request(trusted, { prompt: 'none' }), null, GET));
		expect(location.searchParams.get('error')).toBe('login_required');
		const outcome = await authorizationEndpoint(ctx, request(selfRegistered, { prompt: 'none' }), null, GET);
		if (!('confirm' in outcome)) throw new Error(`expected a confirmation, got ${JSON.stringify(outcome)}`);
		expect(outcome.confirm.error.code).toBe('login_required');
		expect(new URL(outcome.confirm.destination).searchParams.get('error')).toBe('login_required');
		expect(outcome.confirm.host).toBe(new URL(TEST_REDIRECT_URI).host);
	});
});
