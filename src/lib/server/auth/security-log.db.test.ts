import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createTestUser } from '../../../../tests/support/fixtures';
import { useTestDatabase } from '../../../../tests/support/database';
import { securityEvents } from '../db/schema';
import { recordFailedSignIn, RATE_LIMITED_LINE_EVERY_SECONDS } from './failed-sign-in-log';
import { recordSecurityEvent } from './security-log';
import { formatCursor, listSecurityEvents, parseCursor, SECURITY_LOG_PAGE_SIZE } from './security-log-listing';
import { completeSignIn } from './sign-in-completion';

const database = useTestDatabase();
const T0 = new Date('2030-03-01T08:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const BROWSER = { ipAddress: '203.0.113.9', userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/537.36 Chrome/130.0 Safari/537.36' };

async function eventsOf(userId: string) {
	return database.db.select().from(securityEvents).where(eq(securityEvents.userId, userId));
}

describe('recording', () => {
	it('a sign-in through completeSignIn logs its method and methods (amr) with where it came from', async () => {
		const user = await createTestUser(database.db);
		await completeSignIn(database.db, { userId: user.id, amr: 'pwd', method: 'password', origin: BROWSER }, T0);
		expect(await eventsOf(user.id)).toMatchObject([
			{ type: 'sign-in', detail: { method: 'password', amr: 'pwd' }, ipAddress: BROWSER.ipAddress, userAgent: BROWSER.userAgent, createdAt: T0 }
		]);
	});

	it('a wrong password for an existing account is logged in that account only, with the guesser’s address', async () => {
		const owner = await createTestUser(database.db);
		const bystander = await createTestUser(database.db);
		await recordFailedSignIn(database.db, ` ${owner.email.toUpperCase()} `, 'invalid', { ipAddress: '198.51.100.66', userAgent: 'curl/8.5' }, T0);
		expect(await eventsOf(owner.id)).toMatchObject([
			{ type: 'sign-in-failed', detail: { reason: 'password' }, ipAddress: '198.51.100.66', userAgent: 'curl/8.5' }
		]);
		expect(await eventsOf(bystander.id)).toEqual([]);
	});

	it('an unknown or malformed address logs nothing anywhere', async () => {
		const before = (await database.db.select().from(securityEvents)).length;
		await recordFailedSignIn(database.db, 'nobody-here@example.com', 'invalid', BROWSER, T0);
		await recordFailedSignIn(database.db, 'not an address', 'rate-limited', BROWSER, T0);
		await recordFailedSignIn(database.db, { email: 'x' }, 'invalid', BROWSER, T0);
		expect(await database.db.select().from(securityEvents)).toHaveLength(before);
	});

	it('refused attempts from one address make one line per window; another address gets its own', async () => {
		const owner = await createTestUser(database.db);
		const flood = { ipAddress: '192.0.2.200', userAgent: 'python-requests/2' };
		for (let i = 0; i < 20; i++) await recordFailedSignIn(database.db, owner.email, 'rate-limited', flood, at(i));
		await recordFailedSignIn(database.db, owner.email, 'rate-limited', { ipAddress: '192.0.2.201' }, at(30));
		await recordFailedSignIn(database.db, owner.email, 'rate-limited', flood, at(RATE_LIMITED_LINE_EVERY_SECONDS + 1));
		// Wrong passwords are never merged: the limits already bound how many there can be.
		await recordFailedSignIn(database.db, owner.email, 'invalid', flood, at(40));
		await recordFailedSignIn(database.db, owner.email, 'invalid', flood, at(41));
		const lines = (await eventsOf(owner.id)).map((e) => `${e.detail.reason} ${e.ipAddress}`).sort();
		expect(lines).toEqual(['password 192.0.2.200', 'password 192.0.2.200', 'rate-limited 192.0.2.200', 'rate-limited 192.0.2.200', 'rate-limited 192.0.2.201']);
	});

	it('cuts an over-long address and User-Agent instead of failing', async () => {
		const user = await createTestUser(database.db);
		await recordSecurityEvent(database.db, user.id, 'password-changed', {}, { ipAddress: '1'.repeat(500), userAgent: 'A'.repeat(5000) }, T0);
		const [event] = await eventsOf(user.id);
		expect(event.ipAddress).toHaveLength(64);
		expect(event.userAgent!.length).toBeLessThan(5000);
	});
});

describe('listSecurityEvents', () => {
	it('newest first, pages of 50 with a cursor to the older ones, none lost or repeated at equal times', async () => {
		const user = await createTestUser(database.db);
		const other = await createTestUser(database.db);
		// 120 events, in pairs at the same instant (a sign-in and, say, its consent).
		for (let i = 0; i < 60; i++) {
			await recordSecurityEvent(database.db, user.id, 'sign-in', { method: 'password', n: String(2 * i) }, BROWSER, at(i));
			await recordSecurityEvent(database.db, user.id, 'app-granted', { clientId: 'c', n: String(2 * i + 1) }, BROWSER, at(i));
		}
		await recordSecurityEvent(database.db, other.id, 'password-changed', {}, BROWSER, at(1000));

		const seen: string[] = [];
		let cursor = null;
		let pages = 0;
		do {
			const page: Awaited<ReturnType<typeof listSecurityEvents>> = await listSecurityEvents(database.db, user.id, { before: cursor });
			expect(page.events.length).toBeLessThanOrEqual(SECURITY_LOG_PAGE_SIZE);
			seen.push(...page.events.map((e) => e.detail.n));
			for (let i = 1; i < page.events.length; i++) expect(page.events[i - 1].createdAt.getTime()).toBeGreaterThanOrEqual(page.events[i].createdAt.getTime());
			cursor = page.older;
			if (cursor) expect(parseCursor(formatCursor(cursor))).toEqual(cursor);
			pages++;
		} while (cursor);
		expect(pages).toBe(3);
		expect(seen).toHaveLength(120);
		expect(new Set(seen).size).toBe(120);
		expect(seen.slice(0, 2).sort()).toEqual(['118', '119']);
		expect(seen.slice(-2).sort()).toEqual(['0', '1']);
	});

	it("only the user's own: another user's cursor or id shows nothing of theirs", async () => {
		const me = await createTestUser(database.db);
		const them = await createTestUser(database.db);
		await recordSecurityEvent(database.db, them.id, 'email-changed', { from: 'a@example.com', to: 'b@example.com' }, BROWSER, at(5));
		const theirs = await listSecurityEvents(database.db, them.id);
		expect(theirs.events).toHaveLength(1);
		const forged = { createdAt: at(10), id: 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz' };
		expect((await listSecurityEvents(database.db, me.id, { before: forged })).events).toEqual([]);
		expect((await listSecurityEvents(database.db, me.id)).events).toEqual([]);
	});
});

describe('parseCursor', () => {
	it.each(['', null])('%j: the first page', (value) => expect(parseCursor(value)).toBeNull());
	it.each(['abc', '123', '1.2.3', '-5.abcdefghijklmnop', '1.ABCDEFGHIJKLMNOP', `9999999999999999.${'a'.repeat(16)}`, "1.abcdefghijklmnop' or 1=1"])(
		'%j is refused',
		(value) => {
			expect(parseCursor(value)).toBe('invalid');
		}
	);
});
