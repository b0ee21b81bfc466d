import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../../tests/support/database';
import { clients, grants, users } from '../schema';
import { scopeIncludes } from './grants';

const database = useTestDatabase();
const NOW = new Date('2026-01-01T00:00:00Z');

describe('scopeIncludes (SQL over a scope column: whole words)', () => {
	it('matches the word anywhere in the scope, and never a word that merely contains it', async () => {
		const { db } = database;
		await db.insert(users).values({ id: 'u1', email: 'scope-words@example.com', name: 'U', createdAt: NOW, updatedAt: NOW });
		await db.insert(clients).values({ id: 'c1', name: 'C', redirectURIs: [], tokenEndpointAuthMethod: 'none', createdAt: NOW });
		const scopes = [
			'offline_access',
			'openid offline_access',
			'offline_access openid profile',
			'openid profile',
			'openid offline_access_x',
			'openid x_offline_access',
			''
		];
		await db
			.insert(grants)
			.values(scopes.map((scope, i) => ({ id: `g${i}`, clientId: 'c1', userId: 'u1', sessionId: 's1', scope, authTime: NOW, createdAt: NOW })));
		const rows = await db.select({ scope: grants.scope }).from(grants).where(scopeIncludes(grants.scope, 'offline_access'));
		expect(rows.map((r) => r.scope).sort()).toEqual(['offline_access', 'offline_access openid profile', 'openid offline_access']);
	});
});
