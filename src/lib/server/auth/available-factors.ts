import { eq } from 'drizzle-orm';
import type { Database } from '../db';
import { passkeys } from '../db/schema';
import { hasConfirmedTOTP } from './totp-credentials';

/** The second factors a user could step up with: a confirmed authenticator app, any passkey. */
export async function availableSecondFactors(db: Database, userId: string): Promise<{ totp: boolean; passkey: boolean }> {
	const [totp, [passkey]] = await Promise.all([
		hasConfirmedTOTP(db, userId),
		db.select({ id: passkeys.id }).from(passkeys).where(eq(passkeys.userId, userId)).limit(1)
	]);
	return { totp, passkey: passkey !== undefined };
}
