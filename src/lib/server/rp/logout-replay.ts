import { and, eq, lt } from 'drizzle-orm';
import type { Database } from '../db';
import { rpSeenLogoutTokens } from '../db/schema';

/**
 * Back-Channel Logout 1.0 §2.6 step 10 (the RP "MAY" keep a replay cache): records a logout
 * token's `jti` for this site, atomically. Returns false when the token was seen before, so
 * that of any number of parallel deliveries of one token exactly one is accepted. Rows live
 * until the token expires (after that, its `exp` refuses it anyway).
 */
export async function recordLogoutToken(db: Database, site: string, token: { jti: string; expiresAt: Date }, now = new Date()): Promise<boolean> {
	await db.delete(rpSeenLogoutTokens).where(and(eq(rpSeenLogoutTokens.site, site), lt(rpSeenLogoutTokens.expiresAt, now)));
	const inserted = await db
		.insert(rpSeenLogoutTokens)
		.values({ site, jti: token.jti, expiresAt: token.expiresAt })
		.onConflictDoNothing()
		.returning({ jti: rpSeenLogoutTokens.jti });
	return inserted.length === 1;
}
