import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../tests/support/database';
import { rateLimitedMessage, signInWithPassword, type SignInLimits } from './password-sign-in';
import { createUser } from './user';

const database = useTestDatabase();
const LIMITS: SignInLimits = {
	perAccountAndAddress: { kind: 'window', limit: 3, windowSeconds: 900 },
	perAddress: { kind: 'window', limit: 6, windowSeconds: 900 },
	perAccount: { kind: 'delay', freeAttempts: 5, windowSeconds: 3600, firstDelaySeconds: 1, maxDelaySeconds: 60 }
};
const T0 = new Date('2030-01-01T00:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const PASSWORD = 'correct horse battery';

async function account(email: string) {
	return (await createUser(database.db, { name: 'Owner', email, password: PASSWORD }))!;
}

function attempt(email: string, password: string, clientAddress: string, seconds = 0) {
	return signInWithPassword(database.db, { email, password, clientAddress }, LIMITS, at(seconds));
}

describe('signInWithPassword', () => {
	it('one address: after the per-account-and-address limit even the right password waits for the window', async () => {
		const owner = await account('single-source@example.com');
		for (let i = 0; i < 3; i++) expect(await attempt(owner.email, 'wrong', '203.0.113.7')).toEqual({ failure: 'invalid' });
		expect(await attempt(owner.email, PASSWORD, '203.0.113.7', 60)).toEqual({ failure: 'rate-limited', retryAfterSeconds: 840 });
		expect(await attempt(owner.email, PASSWORD, '203.0.113.7', 900)).toEqual({ user: owner });
	});

	it("another address's failures do not keep the owner out", async () => {
		const owner = await account('elsewhere@example.com');
		for (let i = 0; i < 10; i++) await attempt(owner.email, 'wrong', '198.51.100.1');
		expect(await attempt(owner.email, PASSWORD, '192.0.2.50')).toEqual({ user: owner });
	});

	it('many addresses: the account is only slowed down, for at most the cap, and a success forgives', async () => {
		const owner = await account('distributed@example.com');
		const results = [];
		for (let i = 0; i < 12; i++) results.push(await attempt(owner.email, 'wrong', `198.51.100.${10 + i}`));
		// 5 free + 1 delayed failure evaluated; the rest wait.
		expect(results.filter((r) => 'failure' in r && r.failure === 'invalid')).toHaveLength(6);
		const held = await attempt(owner.email, PASSWORD, '192.0.2.51');
		expect(held).toEqual({ failure: 'rate-limited', retryAfterSeconds: 1 });
		expect(await attempt(owner.email, PASSWORD, '192.0.2.51', 1)).toEqual({ user: owner });
		// The account's failures were forgiven: the free attempts are back.
		for (let i = 0; i < 5; i++) expect(await attempt(owner.email, 'wrong', `198.51.100.${40 + i}`, 2)).toEqual({ failure: 'invalid' });
	});

	it('one address trying many accounts is held back by the per-address limit', async () => {
		const results = [];
		for (let i = 0; i < 8; i++) results.push(await attempt(`stuffing-${i}@example.com`, 'Password1', '203.0.113.99'));
		expect(results.filter((r) => 'failure' in r && r.failure === 'invalid')).toHaveLength(6);
		expect(results.slice(6)).toEqual([
			{ failure: 'rate-limited', retryAfterSeconds: 900 },
			{ failure: 'rate-limited', retryAfterSeconds: 900 }
		]);
	});

	it('successful sign-ins do not use up the address budget', async () => {
		const owner = await account('often@example.com');
		for (let i = 0; i < 12; i++) expect(await attempt(owner.email, PASSWORD, '203.0.113.120')).toEqual({ user: owner });
	});

	it('an IPv6 client is counted by its /64: stepping through addresses does not help', async () => {
		const results = [];
		for (let i = 0; i < 8; i++) results.push(await attempt(`v6-${i}@example.com`, 'Password1', `2001:db8:1:2::${i + 1}`));
		expect(results.filter((r) => 'failure' in r && r.failure === 'rate-limited')).toHaveLength(2);
	});
});

describe('rateLimitedMessage', () => {
	it('says when to try again', () => {
		expect(rateLimitedMessage(1)).toBe('Too many failed sign-in attempts. Try again in 1 second.');
		expect(rateLimitedMessage(42)).toBe('Too many failed sign-in attempts. Try again in 42 seconds.');
		expect(rateLimitedMessage(840)).toBe('Too many failed sign-in attempts. Try again in 14 minutes.');
	});
});
