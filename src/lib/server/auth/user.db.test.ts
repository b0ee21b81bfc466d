import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../tests/support/database';
import { users } from '../db/schema';
import { COMMON_PASSWORD_MESSAGE, CONTEXT_PASSWORD_MESSAGE, verifyPassword } from './password';
import { authenticateWithPassword, createUser, normalizeEmail, parseSignUp, PASSWORD_MAX_LENGTH } from './user';

const database = useTestDatabase();

describe('createUser', () => {
	it('stores an Argon2id PHC hash, never the password', async () => {
		const user = await createUser(database.db, { name: 'Ada', email: 'ada-user@example.com', password: 'correct horse battery' });
		expect(user).toMatchObject({ email: 'ada-user@example.com', name: 'Ada', emailVerified: false });
		const [row] = await database.db.select().from(users).where(eq(users.id, user!.id));
		expect(row.passwordHash).toMatch(/^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$/);
		expect(row.passwordHash).not.toContain('correct horse battery');
		expect(await verifyPassword(row.passwordHash!, 'correct horse battery')).toBe(true);
	});

	it('hashes are salted: the same password twice gives two hashes', async () => {
		const a = await createUser(database.db, { name: 'A', email: 'salt-a@example.com', password: 'same password' });
		const b = await createUser(database.db, { name: 'B', email: 'salt-b@example.com', password: 'same password' });
		const rows = await database.db.select({ id: users.id, hash: users.passwordHash }).from(users);
		const hashA = rows.find((r) => r.id === a!.id)!.hash;
		const hashB = rows.find((r) => r.id === b!.id)!.hash;
		expect(hashA).not.toBe(hashB);
	});

	it('a duplicate email → null', async () => {
		await createUser(database.db, { name: 'First', email: 'dup@example.com', password: 'password-1' });
		expect(await createUser(database.db, { name: 'Second', email: 'dup@example.com', password: 'password-2' })).toBeNull();
	});

	it('a duplicate that differs only in case and spaces is the same email after parseSignUp', async () => {
		const parsed = parseSignUp({ name: 'Third', email: '  DUP@Example.COM ', password: 'password-3' });
		expect('value' in parsed && parsed.value.email).toBe('dup@example.com');
		if ('value' in parsed) expect(await createUser(database.db, parsed.value)).toBeNull();
	});
});

describe('authenticateWithPassword', () => {
	it('the right email and password → the user; the email is normalized', async () => {
		const created = await createUser(database.db, { name: 'Grace', email: 'grace-user@example.com', password: 'TestPass123!' });
		expect(await authenticateWithPassword(database.db, 'grace-user@example.com', 'TestPass123!')).toEqual({ user: created });
		expect(await authenticateWithPassword(database.db, '  Grace-User@EXAMPLE.com ', 'TestPass123!')).toEqual({ user: created });
	});

	it('a wrong password → invalid', async () => {
		expect(await authenticateWithPassword(database.db, 'grace-user@example.com', 'TestPass123?')).toEqual({ failure: 'invalid' });
		expect(await authenticateWithPassword(database.db, 'grace-user@example.com', '')).toEqual({ failure: 'invalid' });
	});

	it('an unknown or malformed email → invalid', async () => {
		expect(await authenticateWithPassword(database.db, 'nobody@example.com', 'TestPass123!')).toEqual({ failure: 'invalid' });
		expect(await authenticateWithPassword(database.db, 'not an email', 'TestPass123!')).toEqual({ failure: 'invalid' });
		expect(await authenticateWithPassword(database.db, { email: 'grace-user@example.com' }, 'TestPass123!')).toEqual({ failure: 'invalid' });
		expect(await authenticateWithPassword(database.db, undefined, 'TestPass123!')).toEqual({ failure: 'invalid' });
	});

	it('an account without a password (upstream sign-in only) → invalid', async () => {
		const created = await createUser(database.db, { name: 'Upstream', email: 'upstream@example.com', password: 'temporary-pass' });
		await database.db.update(users).set({ passwordHash: null }).where(eq(users.id, created!.id));
		expect(await authenticateWithPassword(database.db, 'upstream@example.com', 'temporary-pass')).toEqual({ failure: 'invalid' });
	});
});

describe('normalizeEmail', () => {
	it('trims and lower-cases', () => {
		expect(normalizeEmail('  Ada.Lovelace@Example.COM\t')).toBe('ada.lovelace@example.com');
	});

	it.each([[''], ['ada'], ['ada@'], ['@example.com'], ['ada@example'], ['ada lovelace@example.com'], ['a@b@example.com'], [42], [null], [{}]])(
		'refuses %j',
		(value) => {
			expect(normalizeEmail(value)).toBeNull();
		}
	);

	it('refuses addresses longer than 254 characters', () => {
		expect(normalizeEmail(`${'a'.repeat(245)}@example.com`)).toBeNull();
		expect(normalizeEmail(`${'a'.repeat(240)}@example.com`)).toBe(`${'a'.repeat(240)}@example.com`);
	});
});

describe('parseSignUp (field errors worded for people)', () => {
	it('valid input → trimmed name, normalized email, password as typed', () => {
		expect(parseSignUp({ name: '  Ada  ', email: 'ADA@example.com', password: ' pass word ' })).toEqual({
			value: { name: 'Ada', email: 'ada@example.com', password: ' pass word ' }
		});
	});

	it('every field missing → one error per field', () => {
		expect(parseSignUp({})).toEqual({
			errors: {
				name: 'Enter your name.',
				email: 'Enter an email address like name@example.com.',
				password: 'Use at least 8 characters.'
			}
		});
	});

	it('password shorter than 8 → "Use at least 8 characters."', () => {
		expect(parseSignUp({ name: 'Ada', email: 'ada@example.com', password: '1234567' })).toEqual({ errors: { password: 'Use at least 8 characters.' } });
	});

	it('password longer than the maximum → refused (Argon2 input is bounded)', () => {
		const result = parseSignUp({ name: 'Ada', email: 'ada@example.com', password: 'x'.repeat(PASSWORD_MAX_LENGTH + 1) });
		expect(result).toEqual({ errors: { password: `Use at most ${PASSWORD_MAX_LENGTH} characters.` } });
	});

	it('a name of spaces, or over 100 characters → name error', () => {
		expect(parseSignUp({ name: '   ', email: 'ada@example.com', password: 'long enough password' })).toEqual({ errors: { name: 'Enter your name.' } });
		expect(parseSignUp({ name: 'x'.repeat(101), email: 'ada@example.com', password: 'long enough password' })).toEqual({
			errors: { name: 'Use at most 100 characters.' }
		});
	});

	it('NIST SP 800-63B §5.1.1.2: a common or breached password → refused next to the password field, whatever its case', () => {
		for (const password of ['password', '12345678', 'PassWord1', 'qwerty123', 'iloveyou!']) {
			expect(parseSignUp({ name: 'Ada', email: 'ada@example.com', password }), password).toEqual({ errors: { password: COMMON_PASSWORD_MESSAGE } });
		}
	});

	it("NIST SP 800-63B §5.1.1.2: the user's own email or name, or the service's name, plus digits and punctuation → refused", () => {
		const ada = { name: 'Ada Lovelace', email: 'ada.lovelace@example.com' };
		for (const password of [
			'ada.lovelace@example.com',
			'Ada Lovelace',
			'adalovelace1815',
			'Lovelace1815!',
			'SSO Provider 1',
			'sso.example.org!',
			'ExampleOrg2024'
		]) {
			expect(parseSignUp({ ...ada, password }, ['sso.example.org']), password).toEqual({ errors: { password: CONTEXT_PASSWORD_MESSAGE } });
		}
	});

	it('no composition rules: a long password with the name in it, or the demo and test passwords, are fine', () => {
		for (const password of ['Ada rides the analytical engine', 'long enough password', 'DemoPass123!', 'TestPass123!', 'OtherPass123!']) {
			expect(parseSignUp({ name: 'Ada', email: 'ada@example.com', password }), password).toHaveProperty('value');
		}
		expect(parseSignUp({ name: 'Demo User', email: 'demo@example.com', password: 'DemoPass123!' }, ['localhost'])).toHaveProperty('value');
	});

	it('non-string fields are treated as missing', () => {
		expect(parseSignUp({ name: ['Ada'], email: { a: 1 }, password: 12345678 })).toEqual({
			errors: { name: 'Enter your name.', email: 'Enter an email address like name@example.com.', password: 'Use at least 8 characters.' }
		});
	});
});
