import { eq } from 'drizzle-orm';
import type { Database } from '../../src/lib/server/db/index';
import { users } from '../../src/lib/server/db/schema';
import { createUser, type User } from '../../src/lib/server/auth/user';
import { createSession } from '../../src/lib/server/auth/session';
import { findClient, saveClient, type Client, type NewClient } from '../../src/lib/server/oidc/clients';
import { generateSecret } from '../../src/lib/server/secrets';

/** A short random suffix, so fixtures in one database never collide. */
export function uniqueSuffix(): string {
	return generateSecret(5);
}

export interface TestUser extends User {
	password: string;
}

/** Signs up a user through the real code path (Argon2id hash); email is verified unless told otherwise. */
export async function createTestUser(
	db: Database,
	overrides: Partial<{ email: string; name: string; password: string; emailVerified: boolean }> = {},
	now = new Date()
): Promise<TestUser> {
	const input = {
		email: overrides.email ?? `user-${uniqueSuffix()}@example.com`,
		name: overrides.name ?? 'Test User',
		password: overrides.password ?? 'TestPass123!'
	};
	const user = await createUser(db, input, now);
	if (!user) throw new Error(`createTestUser: ${input.email} already exists`);
	const emailVerified = overrides.emailVerified ?? true;
	if (emailVerified) await db.update(users).set({ emailVerified: true }).where(eq(users.id, user.id));
	return { ...user, emailVerified, password: input.password };
}

export interface TestClient extends Client {
	/** The plain secret (only its hash is stored); undefined for public clients. */
	secret?: string;
}

export const TEST_REDIRECT_URI = 'https://rp.example.com/auth/callback';

/** Registers a client with saveClient: confidential and trusted by default. */
export async function createTestClient(db: Database, overrides: Partial<NewClient> & { public?: boolean } = {}): Promise<TestClient> {
	const { public: isPublic, ...rest } = overrides;
	const id = rest.id ?? `client-${uniqueSuffix()}`;
	const secret = isPublic ? undefined : (rest.secret ?? `secret-${generateSecret()}`);
	await saveClient(db, {
		name: `Test client ${id}`,
		redirectURIs: [TEST_REDIRECT_URI],
		trusted: true,
		tokenEndpointAuthMethod: isPublic ? 'none' : 'client_secret_basic',
		...rest,
		id,
		secret
	});
	const client = await findClient(db, id);
	if (!client) throw new Error(`createTestClient: ${id} was not saved`);
	return { ...client, secret };
}

/** A provider session for the user, as the login page would create it. */
export async function createTestSession(db: Database, userId: string, now = new Date()) {
	return createSession(db, userId, { now });
}

export { basicAuthorization } from './basic-auth';

/** A settable clock for code under test: `clock.now()` is what the module sees. */
export function testClock(start = new Date('2026-01-15T10:00:00.000Z')) {
	let current = new Date(start);
	return {
		now: () => new Date(current),
		set(date: Date) {
			current = new Date(date);
		},
		advance(seconds: number) {
			current = new Date(current.getTime() + seconds * 1000);
		}
	};
}
