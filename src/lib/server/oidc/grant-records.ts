import { and, eq, isNull } from 'drizzle-orm';
import type { Database } from '../db';
import { USER_COLUMNS } from '../db/queries/users';
import { grants, users } from '../db/schema';

/** Revokes a grant: every token issued under it stops working. */
export async function revokeGrant(db: Database, grantId: string, now = new Date()): Promise<void> {
	await db
		.update(grants)
		.set({ revokedAt: now })
		.where(and(eq(grants.id, grantId), isNull(grants.revokedAt)));
}

/** A grant that is still in force, with the user's current profile. */
export async function findActiveGrant(db: Database, grantId: string) {
	const [row] = await db
		.select({
			id: grants.id,
			clientId: grants.clientId,
			scope: grants.scope,
			user: USER_COLUMNS
		})
		.from(grants)
		.innerJoin(users, eq(users.id, grants.userId))
		.where(and(eq(grants.id, grantId), isNull(grants.revokedAt)))
		.limit(1);
	return row;
}
