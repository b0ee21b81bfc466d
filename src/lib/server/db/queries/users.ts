import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { User } from '../../auth/user';
import { users } from '../schema';

/** The select projection of a User: every query that returns one selects these columns. */
export const USER_COLUMNS = {
	id: users.id,
	email: users.email,
	emailVerified: users.emailVerified,
	name: users.name
} satisfies Record<keyof User, AnyPgColumn>;
