import { and, eq } from 'drizzle-orm';
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
	basicAuthorization,
	createTestClient,
	createTestUser,
	TEST_REDIRECT_URI,
	testClock,
	type TestClient,
	type TestUser
} from '../../../../tests/support/fixtures';
import { useTestDatabase } from '../../../../tests/support/database';
import { testProtocolContext } from '../../../../tests/support/protocol-context';
import { form } from '../../../../tests/support/oidc';
import { consents, grants, sessions } from '../db/schema';
import { createSession, LAST_SEEN_INTERVAL_MS, MAX_USER_AGENT_LENGTH, validateSessionToken } from '../auth/session';
import type { OutboundFormPOST } from '../outbound-request';
import type { AuthorizationRequest } from './authorize';
import { issueAuthorizationCode } from './codes';
import { saveConsent } from './consent';
import { endOtherSessionOfUser, endOtherSessionsOfUser, listActiveSessions } from './account-sessions';
import { listConnectedApps, revokeConnectedApp } from './connected-apps';
import { KeyStore } from './keys';
import { handleTokenRequest } from './token-endpoint';
import type { TokenContext } from './token-policy';
import type { TokenResponse } from './token-response';

const database = useTestDatabase();
const clock = testClock();
let keys: KeyStore;
let ctx: TokenContext;

const CHROME_LINUX = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';

function fakeRelyingParties() {
	const requests: { url: string; form: URLSearchParams }[] = [];
	const post: OutboundFormPOST = async (url, form) => {
		requests.push({ url, form });
		return { status: 200 };
	};
	return { requests, post };
}

async function signIn(user: TestUser, userAgent = CHROME_LINUX) {
	return createSession(database.db, user.id, { now: clock.now(), userAgent, ipAddress: '203.0.113.7' });
}

async function tokensFrom(
	client: TestClient,
	user: TestUser,
	session: { id: string; authTime: Date },
	scope = 'openid profile offline_access'
): Promise<TokenResponse> {
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

beforeAll(async () => {
	keys = new KeyStore(database.db, 'account-console-test-secret');
	ctx = testProtocolContext(database.db, keys, clock.now);
});

describe('session metadata', () => {
	it('records the browser, the address and "last seen" at sign-in, with the User-Agent bounded', async () => {
		const user = await createTestUser(database.db);
		const { session } = await createSession(database.db, user.id, { now: clock.now(), userAgent: 'x'.repeat(5000), ipAddress: '2001:db8::1' });
		const [row] = await database.db.select().from(sessions).where(eq(sessions.id, session.id));
		expect(row.userAgent).toHaveLength(MAX_USER_AGENT_LENGTH);
		expect(row.ipAddress).toBe('2001:db8::1');
		expect(row.lastSeenAt).toEqual(clock.now());
	});

	it('refreshes "last seen" at most once per interval', async () => {
		const user = await createTestUser(database.db);
		const t0 = clock.now();
		const { token, session } = await createSession(database.db, user.id, { now: t0 });
		const lastSeen = async () => (await database.db.select({ at: sessions.lastSeenAt }).from(sessions).where(eq(sessions.id, session.id)))[0].at;
		await validateSessionToken(database.db, token, new Date(t0.getTime() + LAST_SEEN_INTERVAL_MS - 1000));
		expect(await lastSeen()).toEqual(t0);
		const later = new Date(t0.getTime() + LAST_SEEN_INTERVAL_MS + 1000);
		await validateSessionToken(database.db, token, later);
		expect(await lastSeen()).toEqual(later);
	});
});

describe('the session list', () => {
	it("lists only the user's own sessions, marking this device and naming the browser", async () => {
		const [me, someoneElse] = [await createTestUser(database.db), await createTestUser(database.db)];
		const current = await signIn(me);
		const phone = await signIn(
			me,
			'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1'
		);
		await signIn(someoneElse);
		const list = await listActiveSessions(database.db, me.id, current.session.id, clock.now());
		expect(list.map((s) => s.id).sort()).toEqual([current.session.id, phone.session.id].sort());
		expect(list.find((s) => s.isCurrent)).toMatchObject({ id: current.session.id, device: 'Chrome on Linux', ipAddress: '203.0.113.7' });
		expect(list.find((s) => !s.isCurrent)?.device).toBe('Safari on iOS');
	});

	it('ends only the named session of the user, with back-channel logout to its applications', async () => {
		const user = await createTestUser(database.db);
		const rp = await createTestClient(database.db, { backchannelLogoutURI: 'https://rp.example.com/backchannel' });
		const current = await signIn(user);
		const other = await signIn(user);
		const third = await signIn(user);
		await tokensFrom(rp, user, other.session, 'openid');
		const fake = fakeRelyingParties();
		const results = await endOtherSessionOfUser(ctx, { userId: user.id, currentSessionId: current.session.id }, other.session.id, { post: fake.post });
		expect(results).toEqual([{ clientId: rp.id, ok: true, detail: undefined }]);
		expect(decodeJwt(fake.requests[0].form.get('logout_token')!).sid).toBe(other.session.id);
		expect(await validateSessionToken(database.db, other.token, clock.now())).toBeNull();
		expect(await validateSessionToken(database.db, current.token, clock.now())).not.toBeNull();
		expect(await validateSessionToken(database.db, third.token, clock.now())).not.toBeNull();
	});

	it("refuses another user's session id and the current one, ending nothing", async () => {
		const [me, victim] = [await createTestUser(database.db), await createTestUser(database.db)];
		const mine = await signIn(me);
		const theirs = await signIn(victim);
		const who = { userId: me.id, currentSessionId: mine.session.id };
		expect(await endOtherSessionOfUser(ctx, who, theirs.session.id)).toBeNull();
		expect(await endOtherSessionOfUser(ctx, who, mine.session.id)).toBeNull();
		expect(await validateSessionToken(database.db, theirs.token, clock.now())).not.toBeNull();
		expect(await validateSessionToken(database.db, mine.token, clock.now())).not.toBeNull();
	});

	it('"sign out all other sessions" keeps the current one and no one else\'s is touched', async () => {
		const [me, someoneElse] = [await createTestUser(database.db), await createTestUser(database.db)];
		const current = await signIn(me);
		const others = [await signIn(me), await signIn(me)];
		const bystander = await signIn(someoneElse);
		const { ended } = await endOtherSessionsOfUser(ctx, { userId: me.id, currentSessionId: current.session.id }, { post: fakeRelyingParties().post });
		expect(ended).toBe(2);
		for (const { token } of others) expect(await validateSessionToken(database.db, token, clock.now())).toBeNull();
		expect(await validateSessionToken(database.db, current.token, clock.now())).not.toBeNull();
		expect(await validateSessionToken(database.db, bystander.token, clock.now())).not.toBeNull();
	});
});

describe('connected apps', () => {
	let user: TestUser;
	let dashboard: TestClient;
	let wiki: TestClient;
	let session: Awaited<ReturnType<typeof signIn>>;
	let dashboardTokens: TokenResponse;

	beforeAll(async () => {
		user = await createTestUser(database.db);
		dashboard = await createTestClient(database.db, { name: 'Dashboard', backchannelLogoutURI: 'https://dashboard.example.com/backchannel' });
		wiki = await createTestClient(database.db, { name: 'Wiki', backchannelLogoutURI: 'https://wiki.example.com/backchannel' });
		session = await signIn(user);
		await saveConsent(database.db, user.id, dashboard.id, 'openid profile offline_access', clock.now());
		dashboardTokens = await tokensFrom(dashboard, user, session.session);
		await tokensFrom(wiki, user, session.session, 'openid');
	});

	it("lists each app the user let in, with its scopes in plain words, and no one else's", async () => {
		const stranger = await createTestUser(database.db);
		expect(await listConnectedApps(database.db, stranger.id)).toEqual([]);
		const apps = await listConnectedApps(database.db, user.id);
		expect(apps.map((a) => a.name)).toEqual(['Dashboard', 'Wiki']);
		expect(apps[0].permissions).toContain('See your name');
		expect(apps[0].permissions).toContain('Stay connected when you are not using it (a long-lived refresh token)');
		expect(apps[0].firstUsedAt).toEqual(clock.now());
	});

	it('revoking an app removes its consent and grants, stops its refresh token and tells only that app', async () => {
		const fake = fakeRelyingParties();
		const results = await revokeConnectedApp(ctx, user.id, dashboard.id, { post: fake.post });
		expect(results).toEqual([{ clientId: dashboard.id, ok: true, detail: undefined }]);
		expect(fake.requests.map((r) => r.url)).toEqual(['https://dashboard.example.com/backchannel']);
		const token = decodeJwt(fake.requests[0].form.get('logout_token')!);
		expect(token).toMatchObject({ aud: dashboard.id, sub: user.id, sid: session.session.id });
		expect(
			await database.db
				.select()
				.from(consents)
				.where(and(eq(consents.userId, user.id), eq(consents.clientId, dashboard.id)))
		).toEqual([]);
		const open = await database.db
			.select()
			.from(grants)
			.where(and(eq(grants.userId, user.id), eq(grants.clientId, dashboard.id)));
		expect(open.every((g) => g.revokedAt !== null)).toBe(true);
		await expect(
			handleTokenRequest(
				ctx,
				basicAuthorization(dashboard.id, dashboard.secret!),
				form({ grant_type: 'refresh_token', refresh_token: dashboardTokens.refresh_token! })
			)
		).rejects.toMatchObject({ code: 'invalid_grant' });
		expect((await listConnectedApps(database.db, user.id)).map((a) => a.name)).toEqual(['Wiki']);
		// The provider session itself, and the other app, are untouched.
		expect(await validateSessionToken(database.db, session.token, clock.now())).not.toBeNull();
	});

	it('an app the user has nothing with is refused', async () => {
		const stranger = await createTestUser(database.db);
		expect(await revokeConnectedApp(ctx, stranger.id, wiki.id, { post: fakeRelyingParties().post })).toBeNull();
		expect(await revokeConnectedApp(ctx, user.id, 'no-such-client')).toBeNull();
	});
});
