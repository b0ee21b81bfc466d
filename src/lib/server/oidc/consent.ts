import { and, eq } from 'drizzle-orm';
import type { Database } from '../db';
import { consents } from '../db/schema';
import { Scopes } from './scopes';

/** The scopes this user has already allowed this client (as stored), or null if never asked. */
export async function findConsentedScope(db: Database, userId: string, clientId: string): Promise<string | null> {
	const [row] = await db
		.select({ scope: consents.scope })
		.from(consents)
		.where(and(eq(consents.userId, userId), eq(consents.clientId, clientId)))
		.limit(1);
	return row?.scope ?? null;
}

/** Remembers an Allow: the union with what was allowed before, so consent is asked only for new scopes. */
export async function saveConsent(db: Database, userId: string, clientId: string, scope: Scopes | string, now = new Date()): Promise<void> {
	const previous = Scopes.parse(await findConsentedScope(db, userId, clientId));
	const merged = previous.union(Scopes.from(scope)).toString();
	await db
		.insert(consents)
		.values({ userId, clientId, scope: merged, updatedAt: now })
		.onConflictDoUpdate({ target: [consents.userId, consents.clientId], set: { scope: merged, updatedAt: now } });
}

/** Whether every requested scope is among the consented ones. */
export function isCoveredByConsent(requested: Scopes | string, consented: Scopes | string | null): boolean {
	if (consented === null) return false;
	return Scopes.from(consented).covers(Scopes.from(requested));
}

/** Plain-language descriptions for the consent page. */
export const SCOPE_DESCRIPTIONS: Record<string, string> = {
	openid: 'Confirm who you are (a stable identifier for your account)',
	profile: 'See your name',
	email: 'See your email address and whether it is verified',
	offline_access: 'Stay connected when you are not using it (a long-lived refresh token)'
};
