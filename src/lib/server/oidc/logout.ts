import { and, eq, isNotNull, isNull, not } from 'drizzle-orm';
import { compactVerify } from 'jose';
import type { Database } from '../db';
import { scopeIncludes } from '../db/queries/grants';
import { clients, grants, sessions } from '../db/schema';
import { invalidateSession } from '../auth/session';
import { generateSecret } from '../secrets';
import type { Client } from './clients';
import { displayClientName } from './client-names';
import type { ProtocolContext } from './context';
import { signJWT } from './jwt-signer';
import { mapWithConcurrency, outboundPolicy, postFormToRegisteredURI, type OutboundFormPOST, type OutboundPolicy } from '../outbound-request';

export interface IDTokenHint {
	sub: string;
	/** The clients the token was issued to. */
	aud: string[];
	sid?: string;
}

/**
 * RP-Initiated Logout 1.0 §2: `id_token_hint` is an ID token we issued; it may have expired
 * (the RP often logs out long after sign-in), so only signature and issuer are checked.
 */
export async function verifyIDTokenHint({ keys, issuer }: Pick<ProtocolContext, 'keys' | 'issuer'>, hint: string): Promise<IDTokenHint | null> {
	try {
		const { payload, protectedHeader } = await compactVerify(hint, async (header) => {
			const key = await keys.verificationKey(header.kid);
			if (!key) throw new Error('unknown kid');
			return key;
		});
		if (protectedHeader.typ && protectedHeader.typ !== 'JWT') return null;
		const claims: unknown = JSON.parse(new TextDecoder().decode(payload));
		if (typeof claims !== 'object' || claims === null) return null;
		const { iss, sub, aud, sid } = claims as Record<string, unknown>;
		const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : [];
		if (iss !== issuer || typeof sub !== 'string' || audiences.length === 0) return null;
		return { sub, aud: audiences, sid: typeof sid === 'string' ? sid : undefined };
	} catch {
		return null;
	}
}

/** §3: only a registered post_logout_redirect_uri, compared exactly, is ever redirected to. */
export function isRegisteredPostLogoutRedirect(client: Client, uri: string): boolean {
	return client.postLogoutRedirectURIs.includes(uri);
}

export const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** How long a logout token is valid: long enough for delivery, short against replay (§2.6). */
const LOGOUT_TOKEN_TTL_SECONDS = 120;

/** Back-Channel Logout 1.0 §2.4 logout token: `typ: logout+jwt`, `events`, `sid`, never a `nonce`. */
export async function createLogoutToken(ctx: ProtocolContext, to: { clientId: string; subject: string; sessionId: string }): Promise<string> {
	return signJWT(ctx, {
		typ: 'logout+jwt',
		alg: 'RS256',
		lifetimeSeconds: LOGOUT_TOKEN_TTL_SECONDS,
		subject: to.subject,
		audience: to.clientId,
		jti: generateSecret(),
		claims: { events: { [LOGOUT_EVENT]: {} }, sid: to.sessionId }
	});
}

export interface BackchannelResult {
	clientId: string;
	ok: boolean;
	detail?: string;
}

/** At most this many logout requests of one sign-out are in flight at once. */
export const BACKCHANNEL_CONCURRENCY = 4;

/**
 * The clients that signed in with this provider session and registered a
 * backchannel_logout_uri: ending the session tells each of them (Back-Channel Logout 1.0 §2.5).
 */
async function backchannelLogoutTargets(db: Database, sessionId: string) {
	return db
		.selectDistinct({ clientId: clients.id, name: clients.name, uri: clients.backchannelLogoutURI })
		.from(grants)
		.innerJoin(clients, eq(clients.id, grants.clientId))
		.where(and(eq(grants.sessionId, sessionId), isNotNull(clients.backchannelLogoutURI)));
}

/**
 * The names of the applications that signing out of this session also signs out, as the
 * "Sign out?" pages list them: only those told by back-channel, the others keep their sessions.
 */
export async function applicationsSignedOutWith(db: Database, sessionId: string): Promise<string[]> {
	const names = (await backchannelLogoutTargets(db, sessionId)).map((t) => displayClientName(t.name));
	return [...new Set(names)].sort((a, b) => a.localeCompare(b));
}

/**
 * Ends a provider session everywhere: the session row, the grants made from it (except
 * `offline_access` ones, which are meant to outlive it) and, through Back-Channel Logout
 * (§2.5), each client's own session, by POSTing a logout token to its registered URI.
 * The URIs were registered by anyone: each POST goes through the outbound policy (no
 * private, loopback or link-local targets, pinned address, no redirects, short timeouts),
 * a few at a time.
 */
export async function endProviderSession(
	ctx: ProtocolContext,
	session: { id: string; userId: string },
	options: { outbound?: OutboundPolicy; post?: OutboundFormPOST } = {}
): Promise<BackchannelResult[]> {
	const { db } = ctx;
	const now = ctx.clock();
	const targets = await backchannelLogoutTargets(db, session.id);
	await invalidateSession(db, session.id);
	await db
		.update(grants)
		.set({ revokedAt: now })
		// One statement, whole words: a scope merely containing "offline_access" is another scope.
		.where(and(eq(grants.sessionId, session.id), isNull(grants.revokedAt), not(scopeIncludes(grants.scope, 'offline_access'))));
	const notices = targets.map(({ clientId, uri }) => ({ clientId, uri: uri!, sessionId: session.id }));
	return sendLogoutTokens(ctx, session.userId, notices, options);
}

/** One logout token to deliver: this client's session of the user ended with this provider session. */
export interface BackchannelNotice {
	clientId: string;
	uri: string;
	sessionId: string;
}

/**
 * Back-Channel Logout 1.0 §2.5: POSTs a logout token (§2.4) for each notice to the client's
 * registered back-channel logout URI, a few at a time, and reports each client's answer
 * (§2.8: 200 or 204 means it logged the session out). The URIs were registered by anyone:
 * each POST goes through the outbound policy.
 */
export async function sendLogoutTokens(
	ctx: ProtocolContext,
	userId: string,
	notices: BackchannelNotice[],
	options: { outbound?: OutboundPolicy; post?: OutboundFormPOST } = {}
): Promise<BackchannelResult[]> {
	const policy = options.outbound ?? outboundPolicy(ctx.issuer);
	const post: OutboundFormPOST = options.post ?? ((uri, form) => postFormToRegisteredURI(uri, form, policy));
	return mapWithConcurrency(notices, BACKCHANNEL_CONCURRENCY, async ({ clientId, uri, sessionId }): Promise<BackchannelResult> => {
		try {
			const logoutToken = await createLogoutToken(ctx, { clientId, subject: userId, sessionId });
			const { status } = await post(uri, new URLSearchParams({ logout_token: logoutToken }));
			const ok = status >= 200 && status < 300;
			return { clientId, ok, detail: ok ? undefined : `HTTP ${status}` };
		} catch (error) {
			return { clientId, ok: false, detail: (error as Error).message };
		}
	});
}

/**
 * Ends every provider session of a user (after a password reset: whoever knew the old password
 * may hold one), each as endProviderSession does, so every relying party that registered a
 * back-channel logout URI hears of each session it knew. Unlike a sign-out, it also revokes the
 * grants that outlive sessions (offline_access): refresh tokens obtained by whoever knew the old
 * password must stop working too (RFC 9700 §4.14: refresh tokens are revoked when the user's
 * credentials change).
 */
export async function endAllSessionsOfUser(
	ctx: ProtocolContext,
	userId: string,
	options: { outbound?: OutboundPolicy; post?: OutboundFormPOST } = {}
): Promise<BackchannelResult[]> {
	const { db } = ctx;
	const open = await db.select({ id: sessions.id, userId: sessions.userId }).from(sessions).where(eq(sessions.userId, userId));
	// One session at a time, each with its own few parallel logout requests (BACKCHANNEL_CONCURRENCY).
	const results: BackchannelResult[] = [];
	for (const session of open) results.push(...(await endProviderSession(ctx, session, options)));
	await db
		.update(grants)
		.set({ revokedAt: ctx.clock() })
		.where(and(eq(grants.userId, userId), isNull(grants.revokedAt)));
	return results;
}
