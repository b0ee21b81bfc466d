import { and, eq } from 'drizzle-orm';
import type { Database } from '../db';
import { consents } from '../db/schema';

/** The scopes this user has already allowed this client, or null if never asked. */
export async function findConsentedScope(db: Database, userId: string, clientId: string): Promise<string | null> {
	const [row] = await db
		.select({ scope: consents.scope })
		.from(consents)
		.where(and(eq(consents.userId, userId), eq(consents.clientId, clientId)))
		.limit(1);
	return row?.scope ?? null;
}

/** Remembers an Allow: the union with what was allowed before, so consent is asked only for new scopes. */
export async function saveConsent(db: Database, userId: string, clientId: string, scope: string, now = new Date()): Promise<void> {
	const previous = await findConsentedScope(db, userId, clientId);
	const merged = [...new Set([...(previous?.split(' ') ?? []), ...scope.split(' ')])].filter(Boolean).join(' ');
	await db
		.insert(consents)
		.values({ userId, clientId, scope: merged, updatedAt: now })
		.onConflictDoUpdate({ target: [consents.userId, consents.clientId], set: { scope: merged, updatedAt: now } });
}

/** Whether every requested scope is among the consented ones. */
export function isCoveredByConsent(requested: string, consented: string | null): boolean {
	if (consented === null) return false;
	const allowed = new Set(consented.split(' '));
	return requested.split(' ').every((s) => allowed.has(s));
}

/** Plain-language descriptions for the consent page. */
export const SCOPE_DESCRIPTIONS: Record<string, string> = {
	openid: 'Confirm who you are (a stable identifier for your account)',
	profile: 'See your name',
	email: 'See your email address and whether it is verified',
	offline_access: 'Stay connected when you are not using it (a long-lived refresh token)'
};
