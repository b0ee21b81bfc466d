import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createTestUser, uniqueSuffix } from '../../../../tests/support/fixtures';
import { useTestDatabase } from '../../../../tests/support/database';
import { oneTimeTokens, upstreamIdentities, users } from '../db/schema';
import type { UpstreamProfile } from './upstream';
import {
	displayName,
	findMailedLink,
	findPendingLink,
	issueMailedLink,
	linkAfterMail,
	linkAfterPassword,
	PENDING_LINK_TTL_SECONDS,
	resolveUpstreamSignIn
} from './upstream-accounts';

const database = useTestDatabase();
const T0 = new Date('2026-01-15T10:00:00.000Z');
const later = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

function profile(overrides: Partial<UpstreamProfile> = {}): UpstreamProfile {
	return {
		provider: 'github',
		subject: `gh-${uniqueSuffix()}`,
		email: `up-${uniqueSuffix()}@example.com`,
		emailVerified: true,
		name: 'Octo Cat',
		amr: [],
		...overrides
	};
}

async function identity(provider: string, subject: string) {
	const [row] = await database.db.select().from(upstreamIdentities).where(eq(upstreamIdentities.subject, subject));
	return row?.provider === provider ? row : undefined;
}

async function pendingFor(p: UpstreamProfile, now = T0) {
	const result = await resolveUpstreamSignIn(database.db, p, now);
	if (result.outcome !== 'link-required') throw new Error(`expected link-required, got ${result.outcome}`);
	return result.pendingToken;
}

describe('first upstream sign-in with a verified address nobody has', () => {
	it('creates an account without a password, verified, named from the upstream, linked, with amr fed', async () => {
		const p = profile();
		const result = await resolveUpstreamSignIn(database.db, p, T0);
		expect(result).toMatchObject({ outcome: 'signed-in', created: true, amr: 'fed' });
		if (result.outcome !== 'signed-in') return;
		const [user] = await database.db.select().from(users).where(eq(users.id, result.userId));
		expect(user).toMatchObject({ email: p.email, emailVerified: true, name: 'Octo Cat', passwordHash: null });
		expect(await identity('github', p.subject)).toMatchObject({ userId: result.userId, emailAtLink: p.email });
	});

	it('passes on the upstream ID token’s registered amr values instead of fed (RFC 8176), dropping unregistered ones', async () => {
		const result = await resolveUpstreamSignIn(database.db, profile({ provider: 'google', amr: ['pwd', 'mfa', 'made-up'] }), T0);
		expect(result).toMatchObject({ outcome: 'signed-in', amr: 'pwd mfa' });
	});

	it('the next sign-in of the same upstream account signs in the same user even after its email changed there', async () => {
		const p = profile();
		const first = await resolveUpstreamSignIn(database.db, p, T0);
		const again = await resolveUpstreamSignIn(database.db, { ...p, email: `changed-${uniqueSuffix()}@example.com`, emailVerified: false }, later(60));
		expect(again).toMatchObject({ outcome: 'signed-in', created: false });
		expect(first.outcome === 'signed-in' && again.outcome === 'signed-in' && again.userId === first.userId).toBe(true);
		expect((await identity('github', p.subject))?.lastUsedAt).toEqual(later(60));
	});

	it('the same subject at another upstream is another identity', async () => {
		const p = profile();
		await resolveUpstreamSignIn(database.db, p, T0);
		const other = await resolveUpstreamSignIn(database.db, { ...p, provider: 'google', email: `g-${uniqueSuffix()}@example.com` }, T0);
		expect(other).toMatchObject({ outcome: 'signed-in', created: true });
	});
});

describe('an upstream that does not vouch for the address', () => {
	it('never creates, links or verifies: not for a new address, not for an existing account’s address', async () => {
		const victim = await createTestUser(database.db, { emailVerified: false });
		for (const email of [victim.email, `nobody-${uniqueSuffix()}@example.com`, null]) {
			const p = profile({ email, emailVerified: false });
			expect(await resolveUpstreamSignIn(database.db, p, T0)).toEqual({ outcome: 'no-verified-email' });
			expect(await identity('github', p.subject)).toBeUndefined();
		}
		const [after] = await database.db.select().from(users).where(eq(users.id, victim.id));
		expect(after.emailVerified).toBe(false);
		expect(await database.db.select().from(oneTimeTokens).where(eq(oneTimeTokens.userId, victim.id))).toEqual([]);
	});
});

describe('a verified address that belongs to an existing account', () => {
	it('links nothing and signs nobody in; it stores a pending link that names the account', async () => {
		const owner = await createTestUser(database.db);
		const p = profile({ email: owner.email.toUpperCase() });
		const token = await pendingFor(p);
		expect(await identity('github', p.subject)).toBeUndefined();
		expect(await findPendingLink(database.db, token, T0)).toMatchObject({
			userId: owner.id,
			email: owner.email,
			provider: 'github',
			subject: p.subject,
			hasPassword: true
		});
	});

	it('the password proof links it once, for the proven account only', async () => {
		const owner = await createTestUser(database.db);
		const someoneElse = await createTestUser(database.db);
		const p = profile({ email: owner.email });
		const token = await pendingFor(p);
		expect(await linkAfterPassword(database.db, token, someoneElse.id, T0)).toEqual({ linked: false, reason: 'wrong-account' });
		expect(await linkAfterPassword(database.db, token, owner.id, T0)).toEqual({ linked: true, userId: owner.id, amr: 'fed pwd', provider: 'github' });
		expect(await identity('github', p.subject)).toMatchObject({ userId: owner.id });
		expect(await linkAfterPassword(database.db, token, owner.id, T0)).toEqual({ linked: false, reason: 'expired' });
		// From now on the upstream signs in straight away.
		expect(await resolveUpstreamSignIn(database.db, p, T0)).toMatchObject({ outcome: 'signed-in', userId: owner.id });
	});

	it('a pending link expires after its lifetime', async () => {
		const owner = await createTestUser(database.db);
		const token = await pendingFor(profile({ email: owner.email }));
		expect(await linkAfterPassword(database.db, token, owner.id, later(PENDING_LINK_TTL_SECONDS + 1))).toEqual({ linked: false, reason: 'expired' });
	});

	it('the mailed link works only with the pending cookie it was issued for, once, and links only that identity', async () => {
		const owner = await createTestUser(database.db);
		const mine = profile({ email: owner.email });
		const theirs = profile({ email: owner.email });
		const myPending = await pendingFor(mine);
		const theirPending = await pendingFor(theirs);
		const pending = (await findPendingLink(database.db, myPending, T0))!;
		const mailed = await issueMailedLink(database.db, pending, T0);
		expect(await findMailedLink(database.db, mailed, T0)).toMatchObject({ email: owner.email, provider: 'github' });
		// The mailed token is not a pending link, nor the pending one a mailed link.
		expect(await findPendingLink(database.db, mailed, T0)).toBeNull();
		expect(await linkAfterMail(database.db, myPending, myPending, T0)).toEqual({ linked: false, reason: 'expired' });
		// Another browser (no cookie, or another pending link's cookie) gets nothing.
		expect(await linkAfterMail(database.db, mailed, undefined, T0)).toEqual({ linked: false, reason: 'other-browser' });
		expect(await linkAfterMail(database.db, mailed, theirPending, T0)).toEqual({ linked: false, reason: 'other-browser' });
		expect(await identity('github', theirs.subject)).toBeUndefined();
		// The right browser links exactly the identity the mail was for.
		expect(await linkAfterMail(database.db, mailed, myPending, T0)).toEqual({ linked: true, userId: owner.id, amr: 'fed', provider: 'github' });
		expect(await identity('github', mine.subject)).toMatchObject({ userId: owner.id });
		expect(await identity('github', theirs.subject)).toBeUndefined();
		// Single use; and linking ended every other pending link to the account.
		expect(await linkAfterMail(database.db, mailed, myPending, T0)).toEqual({ linked: false, reason: 'expired' });
		expect(await findPendingLink(database.db, theirPending, T0)).toBeNull();
	});

	it('an account without a password says so (only the mailed link can prove it)', async () => {
		const first = profile();
		const created = await resolveUpstreamSignIn(database.db, first, T0);
		expect(created.outcome).toBe('signed-in');
		const token = await pendingFor(profile({ provider: 'google', email: first.email }));
		expect(await findPendingLink(database.db, token, T0)).toMatchObject({ hasPassword: false });
	});
});

describe('display names', () => {
	it('keeps printable characters, at most 100, else the address’s local part', () => {
		expect(displayName('  Ada\u0000 Lovelace\n ', 'ada@example.com')).toBe('Ada Lovelace');
		expect(displayName(null, 'ada@example.com')).toBe('ada');
		expect(displayName('x'.repeat(300), 'ada@example.com')).toHaveLength(100);
	});
});
