import { and, eq, isNull, max, sql } from 'drizzle-orm';
import type { Database } from '../db';
import { clients, consents, grants, refreshTokens, sessions } from '../db/schema';
import type { ProtocolContext } from './context';
import { displayClientName } from './client-names';
import { SCOPE_DESCRIPTIONS } from './consent';
import { sendLogoutTokens, type BackchannelResult } from './logout';
import { Scopes } from './scopes';
import type { OutboundFormPOST, OutboundPolicy } from '../outbound-request';

/** One application the user has let in, as the account console lists it. */
export interface ConnectedApp {
	clientId: string;
	name: string;
	/** Each allowed scope in plain words (consent.ts), unknown ones by their name. */
	permissions: string[];
	firstUsedAt: Date;
	lastUsedAt: Date;
}

function describeScopes(scopes: Scopes): string[] {
	return [...scopes].map((scope) => SCOPE_DESCRIPTIONS[scope] ?? `Use “${scope}”`);
}

/**
 * The clients that hold an unrevoked grant or a remembered consent of this user. First use is
 * the earliest grant (or the consent), last use the latest grant or refresh-token issue.
 */
export async function listConnectedApps(db: Database, userId: string): Promise<ConnectedApp[]> {
	const grantRows = await db
		.select({
			clientId: grants.clientId,
			name: clients.name,
			scope: grants.scope,
			createdAt: grants.createdAt,
			active: sql<boolean>`${grants.revokedAt} is null`.mapWith(Boolean),
			lastRefresh: max(refreshTokens.createdAt)
		})
		.from(grants)
		.innerJoin(clients, eq(clients.id, grants.clientId))
		.leftJoin(refreshTokens, eq(refreshTokens.grantId, grants.id))
		.where(eq(grants.userId, userId))
		.groupBy(grants.id, clients.name);
	const consentRows = await db
		.select({ clientId: consents.clientId, name: clients.name, scope: consents.scope, updatedAt: consents.updatedAt })
		.from(consents)
		.innerJoin(clients, eq(clients.id, consents.clientId))
		.where(eq(consents.userId, userId));

	const apps = new Map<string, { name: string; scopes: Scopes; first: Date; last: Date; listed: boolean }>();
	const entry = (clientId: string, name: string, at: Date) => {
		let app = apps.get(clientId);
		if (!app) apps.set(clientId, (app = { name, scopes: Scopes.of([]), first: at, last: at, listed: false }));
		return app;
	};
	for (const row of consentRows) {
		const app = entry(row.clientId, row.name, row.updatedAt);
		app.scopes = app.scopes.union(Scopes.parse(row.scope));
		app.listed = true;
	}
	for (const row of grantRows) {
		const app = entry(row.clientId, row.name, row.createdAt);
		const lastUse = row.lastRefresh && row.lastRefresh > row.createdAt ? row.lastRefresh : row.createdAt;
		if (row.createdAt < app.first) app.first = row.createdAt;
		if (lastUse > app.last) app.last = lastUse;
		if (row.active) {
			app.scopes = app.scopes.union(Scopes.parse(row.scope));
			app.listed = true;
		}
	}
	return [...apps.entries()]
		.filter(([, app]) => app.listed)
		.map(([clientId, app]) => ({
			clientId,
			name: displayClientName(app.name),
			permissions: describeScopes(app.scopes),
			firstUsedAt: app.first,
			lastUsedAt: app.last
		}))
		.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * "Revoke access": forgets the consent (the next sign-in asks again), revokes every grant of
 * this user with this client, which stops its refresh tokens and, since access tokens are
 * checked against their grant at userinfo and introspection, its access tokens too
 * (RFC 7009 §2.1: revoking a grant invalidates its tokens), and tells the client by
 * Back-Channel Logout (1.0 §2.5) for each live session it signed in from. Other clients'
 * sessions are left alone. Returns null when the user had nothing with this client.
 */
export async function revokeConnectedApp(
	ctx: ProtocolContext,
	userId: string,
	clientId: string,
	options: { outbound?: OutboundPolicy; post?: OutboundFormPOST } = {}
): Promise<BackchannelResult[] | null> {
	const { db } = ctx;
	// One instant for the revocation and the logout tokens that announce it.
	const now = ctx.clock();
	const [client] = await db.select({ id: clients.id, uri: clients.backchannelLogoutURI }).from(clients).where(eq(clients.id, clientId)).limit(1);
	if (!client) return null;
	const signedInFrom = await db
		.selectDistinct({ sessionId: grants.sessionId })
		.from(grants)
		.innerJoin(sessions, eq(sessions.id, grants.sessionId))
		.where(and(eq(grants.userId, userId), eq(grants.clientId, clientId), isNull(grants.revokedAt)));
	const forgotten = await db
		.delete(consents)
		.where(and(eq(consents.userId, userId), eq(consents.clientId, clientId)))
		.returning({ clientId: consents.clientId });
	const revoked = await db
		.update(grants)
		.set({ revokedAt: now })
		.where(and(eq(grants.userId, userId), eq(grants.clientId, clientId), isNull(grants.revokedAt)))
		.returning({ id: grants.id });
	if (forgotten.length === 0 && revoked.length === 0) return null;
	const uri = client.uri;
	if (!uri) return [];
	const notices = signedInFrom.map(({ sessionId }) => ({ clientId, uri, sessionId }));
	return sendLogoutTokens({ ...ctx, clock: () => now }, userId, notices, options);
}
