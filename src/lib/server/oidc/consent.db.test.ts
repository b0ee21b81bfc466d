import { beforeAll, describe, expect, it } from 'vitest';
import {
	createTestClient,
	createTestSession,
	createTestUser,
	TEST_REDIRECT_URI,
	testClock,
	type TestClient,
	type TestUser
} from '../../../../tests/support/fixtures';
import { useTestDatabase } from '../../../../tests/support/database';
import { decideAuthorization, validateAuthorizationRequest, type AuthorizationDecision, type SignedInUser } from './authorize';
import { findConsentedScope, isCoveredByConsent, saveConsent, SCOPE_DESCRIPTIONS } from './consent';

const database = useTestDatabase();
const clock = testClock();
let untrusted: TestClient;
let trusted: TestClient;

beforeAll(async () => {
	untrusted = await createTestClient(database.db, { trusted: false });
	trusted = await createTestClient(database.db, { trusted: true });
});

/** A new user with a provider session, as the login page leaves them. */
async function signedInUser(): Promise<{ user: TestUser; signedIn: SignedInUser }> {
	const user = await createTestUser(database.db);
	const { session } = await createTestSession(database.db, user.id, clock.now());
	return { user, signedIn: { sessionId: session.id, userId: user.id, authTime: session.authTime, amr: session.amr } };
}

/**
 * What the authorization endpoint decides for this request and user: validation, the stored
 * consent (looked up as the endpoint does: not for trusted clients), then the decision.
 */
async function decide(client: TestClient, signedIn: SignedInUser | null, params: Record<string, string> = {}): Promise<AuthorizationDecision> {
	const query = new URLSearchParams({
		client_id: client.id,
		redirect_uri: TEST_REDIRECT_URI,
		response_type: 'code',
		scope: 'openid profile',
		state: 's',
		...params
	});
	const validated = await validateAuthorizationRequest(database.db, query);
	if (!('request' in validated)) throw new Error(validated.rejected.error.message);
	const consented = signedIn && !client.trusted ? await findConsentedScope(database.db, signedIn.userId, client.id) : null;
	return decideAuthorization(validated.request, signedIn, consented, clock.now());
}

function errorCode(decision: AuthorizationDecision): string | undefined {
	return decision.next === 'error' ? decision.error.code : undefined;
}

describe('consent for untrusted clients (OIDC Core §3.1.2.4)', () => {
	it('a user who never consented is asked', async () => {
		const { signedIn } = await signedInUser();
		expect(await decide(untrusted, signedIn)).toEqual({ next: 'consent' });
	});

	it('after saveConsent for the requested scopes, no consent page: a code is issued', async () => {
		const { user, signedIn } = await signedInUser();
		await saveConsent(database.db, user.id, untrusted.id, 'openid profile', clock.now());
		expect(await decide(untrusted, signedIn)).toEqual({ next: 'issue-code' });
	});

	it('a request for fewer scopes than consented needs no new consent', async () => {
		const { user, signedIn } = await signedInUser();
		await saveConsent(database.db, user.id, untrusted.id, 'openid profile email', clock.now());
		expect(await decide(untrusted, signedIn, { scope: 'openid' })).toEqual({ next: 'issue-code' });
	});

	it('a new scope → consent again; after allowing it, both old and new scopes are covered', async () => {
		const { user, signedIn } = await signedInUser();
		await saveConsent(database.db, user.id, untrusted.id, 'openid profile', clock.now());
		expect(await decide(untrusted, signedIn, { scope: 'openid profile email' })).toEqual({ next: 'consent' });
		await saveConsent(database.db, user.id, untrusted.id, 'openid email', clock.now());
		expect(await decide(untrusted, signedIn, { scope: 'openid profile email' })).toEqual({ next: 'issue-code' });
		expect((await findConsentedScope(database.db, user.id, untrusted.id))?.split(' ').sort()).toEqual(['email', 'openid', 'profile']);
	});

	it('offline_access is a scope of its own: consent for openid profile does not cover it', async () => {
		const { user, signedIn } = await signedInUser();
		await saveConsent(database.db, user.id, untrusted.id, 'openid profile', clock.now());
		expect(await decide(untrusted, signedIn, { scope: 'openid profile offline_access' })).toEqual({ next: 'consent' });
	});

	it('consent is per user: another user is still asked', async () => {
		const first = await signedInUser();
		const second = await signedInUser();
		await saveConsent(database.db, first.user.id, untrusted.id, 'openid profile', clock.now());
		expect(await decide(untrusted, second.signedIn)).toEqual({ next: 'consent' });
	});

	it('consent is per client: another untrusted client is still asked', async () => {
		const { user, signedIn } = await signedInUser();
		const another = await createTestClient(database.db, { trusted: false });
		await saveConsent(database.db, user.id, untrusted.id, 'openid profile', clock.now());
		expect(await decide(another, signedIn)).toEqual({ next: 'consent' });
	});

	it('prompt=consent asks again even when the consent covers the request', async () => {
		const { user, signedIn } = await signedInUser();
		await saveConsent(database.db, user.id, untrusted.id, 'openid profile', clock.now());
		expect(await decide(untrusted, signedIn, { prompt: 'consent' })).toEqual({ next: 'consent' });
	});

	it('prompt=none without consent → consent_required (nothing shown)', async () => {
		const { signedIn } = await signedInUser();
		expect(errorCode(await decide(untrusted, signedIn, { prompt: 'none' }))).toBe('consent_required');
	});

	it('prompt=none with consent → a code, silently', async () => {
		const { user, signedIn } = await signedInUser();
		await saveConsent(database.db, user.id, untrusted.id, 'openid profile', clock.now());
		expect(await decide(untrusted, signedIn, { prompt: 'none' })).toEqual({ next: 'issue-code' });
	});

	it('prompt=none without a session → login_required (before any consent question)', async () => {
		expect(errorCode(await decide(untrusted, null, { prompt: 'none' }))).toBe('login_required');
	});

	it('no session, no prompt → login first', async () => {
		expect(await decide(untrusted, null)).toEqual({ next: 'login' });
	});

	it('trusted clients never need consent, except with prompt=consent', async () => {
		const { signedIn } = await signedInUser();
		expect(await decide(trusted, signedIn)).toEqual({ next: 'issue-code' });
		expect(await decide(trusted, signedIn, { prompt: 'consent' })).toEqual({ next: 'consent' });
	});
});

describe('consent storage', () => {
	it('findConsentedScope is null before any consent', async () => {
		const { user } = await signedInUser();
		expect(await findConsentedScope(database.db, user.id, untrusted.id)).toBeNull();
	});

	it('saveConsent keeps one row per user and client and merges scopes without duplicates', async () => {
		const { user } = await signedInUser();
		await saveConsent(database.db, user.id, untrusted.id, 'openid profile', clock.now());
		await saveConsent(database.db, user.id, untrusted.id, 'openid  profile email', clock.now());
		const scopes = (await findConsentedScope(database.db, user.id, untrusted.id))!.split(' ');
		expect(scopes.sort()).toEqual(['email', 'openid', 'profile']);
	});

	it('isCoveredByConsent: every requested scope must be consented; null means never asked', () => {
		expect(isCoveredByConsent('openid profile', null)).toBe(false);
		expect(isCoveredByConsent('openid profile', 'openid profile email')).toBe(true);
		expect(isCoveredByConsent('openid email', 'openid profile')).toBe(false);
		// A scope name that contains a consented one is still another scope.
		expect(isCoveredByConsent('openid profile_admin', 'openid profile')).toBe(false);
	});

	it('every scope the provider supports has a plain-language description for the consent page', () => {
		for (const scope of ['openid', 'profile', 'email', 'offline_access']) expect(SCOPE_DESCRIPTIONS[scope], scope).toBeTypeOf('string');
	});
});
