import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../tests/support/database';
import { securityEvents, totpCredentials } from '../db/schema';
import { countUnusedRecoveryCodes, replaceRecoveryCodes, useRecoveryCode } from './recovery-codes';
import { beginSecondFactor, checkSecondFactor, findPendingSecondFactor, finishSecondFactor } from './second-factor';
import { deriveTOTPEncryptionKey, manualEntryKey, totpCodeAt } from './totp';
import {
	cancelTOTPEnrolment,
	confirmTOTPEnrolment,
	disableTOTP,
	enrollingTOTPKey,
	findTOTPStatus,
	hasConfirmedTOTP,
	pendingTOTPKey,
	verifyTOTPCode
} from './totp-credentials';
import { createUser } from './user';

const database = useTestDatabase();
const T0 = new Date('2030-01-01T00:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const LIMIT = { kind: 'window', limit: 5, windowSeconds: 900 } as const;
let wrap: Uint8Array;

let n = 0;
async function user() {
	wrap ??= await deriveTOTPEncryptionKey('the test server secret, long enough to be strong');
	return (await createUser(database.db, { name: 'Owner', email: `owner-${n++}@example.com`, password: 'correct horse battery' }))!;
}

/** A user whose authenticator is confirmed at T0; returns the key. */
async function enrolled() {
	const owner = await user();
	const key = (await enrollingTOTPKey(database.db, owner.id, wrap, T0))!;
	expect(await confirmTOTPEnrolment(database.db, owner.id, totpCodeAt(key, T0), wrap, T0)).toBe(true);
	return { owner, key };
}

describe('enrolling an authenticator', () => {
	it('is not asked for at sign-in until confirmed with a code; a reload shows the same key', async () => {
		const owner = await user();
		const key = (await enrollingTOTPKey(database.db, owner.id, wrap, T0))!;
		expect(await enrollingTOTPKey(database.db, owner.id, wrap, at(5))).toEqual(key);
		expect(await hasConfirmedTOTP(database.db, owner.id)).toBe(false);
		expect(await findTOTPStatus(database.db, owner.id)).toEqual({ confirmedAt: null, enrolling: true });
		expect(await confirmTOTPEnrolment(database.db, owner.id, '000000' === totpCodeAt(key, T0) ? '111111' : '000000', wrap, T0)).toBe(false);
		expect(await confirmTOTPEnrolment(database.db, owner.id, totpCodeAt(key, T0), wrap, T0)).toBe(true);
		expect(await hasConfirmedTOTP(database.db, owner.id)).toBe(true);
		expect(await pendingTOTPKey(database.db, owner.id, wrap)).toBeNull();
		// A confirmed authenticator is never replaced by a new enrolment.
		expect(await enrollingTOTPKey(database.db, owner.id, wrap, at(60))).toBeNull();
		await cancelTOTPEnrolment(database.db, owner.id);
		expect(await hasConfirmedTOTP(database.db, owner.id)).toBe(true);
	});

	it('stores the key encrypted: the row holds a JWE, not the base32 key', async () => {
		const { owner, key } = await enrolled();
		const [row] = await database.db.select().from(totpCredentials).where(eq(totpCredentials.userId, owner.id));
		expect(row.encryptedKey.split('.')).toHaveLength(5);
		expect(row.encryptedKey.toUpperCase()).not.toContain(manualEntryKey(key).replace(/ /g, ''));
	});
});

describe('a code at sign-in (RFC 6238 §5.2)', () => {
	it('works once: the same code again, or an older one, is refused', async () => {
		const { key, owner } = await enrolled();
		const later = at(90);
		expect(await verifyTOTPCode(database.db, owner.id, totpCodeAt(key, later), wrap, later)).toBe(true);
		expect(await verifyTOTPCode(database.db, owner.id, totpCodeAt(key, later), wrap, later)).toBe(false);
		// The previous step's code is still inside the window, but older than the one used.
		expect(await verifyTOTPCode(database.db, owner.id, totpCodeAt(key, at(60)), wrap, later)).toBe(false);
		expect(await verifyTOTPCode(database.db, owner.id, totpCodeAt(key, at(120)), wrap, at(120))).toBe(true);
	});

	it('the confirming code cannot be used again to sign in', async () => {
		const { key, owner } = await enrolled();
		expect(await verifyTOTPCode(database.db, owner.id, totpCodeAt(key, T0), wrap, at(10))).toBe(false);
	});

	it('of ten parallel uses of one code exactly one passes', async () => {
		const { key, owner } = await enrolled();
		const now = at(300);
		const results = await Promise.all(Array.from({ length: 10 }, () => verifyTOTPCode(database.db, owner.id, totpCodeAt(key, now), wrap, now)));
		expect(results.filter(Boolean)).toHaveLength(1);
	});

	it('a code is refused once two-step verification is off', async () => {
		const { key, owner } = await enrolled();
		await replaceRecoveryCodes(database.db, owner.id, T0);
		expect(await disableTOTP(database.db, owner.id)).toBe(true);
		expect(await verifyTOTPCode(database.db, owner.id, totpCodeAt(key, at(60)), wrap, at(60))).toBe(false);
		expect(await countUnusedRecoveryCodes(database.db, owner.id)).toBe(0);
	});
});

describe('recovery codes', () => {
	it('ten, each usable once (in parallel too); regenerating replaces every old one', async () => {
		const owner = await user();
		const codes = await replaceRecoveryCodes(database.db, owner.id, T0);
		expect(codes).toHaveLength(10);
		expect(new Set(codes).size).toBe(10);
		const parallel = await Promise.all(Array.from({ length: 5 }, () => useRecoveryCode(database.db, owner.id, codes[0].toUpperCase(), T0)));
		expect(parallel.filter(Boolean)).toHaveLength(1);
		expect(await countUnusedRecoveryCodes(database.db, owner.id)).toBe(9);
		const fresh = await replaceRecoveryCodes(database.db, owner.id, at(60));
		expect(await useRecoveryCode(database.db, owner.id, codes[1], at(61))).toBe(false);
		expect(await useRecoveryCode(database.db, owner.id, fresh[1], at(61))).toBe(true);
	});

	it("one user's code does not work for another", async () => {
		const a = await user();
		const b = await user();
		const [code] = await replaceRecoveryCodes(database.db, a.id, T0);
		expect(await useRecoveryCode(database.db, b.id, code, T0)).toBe(false);
	});
});

describe('checkSecondFactor', () => {
	it('counts guesses before checking: after the limit even the right code waits; a success clears', async () => {
		const { key, owner } = await enrolled();
		const check = (code: string, seconds: number) =>
			checkSecondFactor(database.db, { userId: owner.id, code, origin: {} }, { limit: LIMIT, encryptionKey: wrap }, at(seconds));
		const wrong = totpCodeAt(key, at(30)) === '123456' ? '654321' : '123456';
		for (let i = 0; i < 4; i++) expect(await check(wrong, 30)).toEqual({ failure: 'invalid' });
		expect(await check(totpCodeAt(key, at(30)), 30)).toEqual({ verified: 'totp' });
		for (let i = 0; i < 5; i++) expect(await check(wrong, 60)).toEqual({ failure: 'invalid' });
		expect(await check(totpCodeAt(key, at(90)), 90)).toEqual({ failure: 'rate-limited', retryAfterSeconds: 870 });
		expect(await check(totpCodeAt(key, at(960)), 960)).toEqual({ verified: 'totp' });
		const failures = await database.db.select().from(securityEvents).where(eq(securityEvents.userId, owner.id));
		expect(failures.filter((e) => e.type === 'sign-in-failed').map((e) => e.detail)).toEqual(Array(9).fill({ reason: 'code' }));
	});

	it('a recovery code works once and is logged as used', async () => {
		const { owner } = await enrolled();
		const [code] = await replaceRecoveryCodes(database.db, owner.id, T0);
		const check = () =>
			checkSecondFactor(database.db, { userId: owner.id, code, origin: { ipAddress: '192.0.2.1' } }, { limit: LIMIT, encryptionKey: wrap }, at(10));
		expect(await check()).toEqual({ verified: 'recovery-code' });
		expect(await check()).toEqual({ failure: 'invalid' });
		const events = await database.db.select().from(securityEvents).where(eq(securityEvents.userId, owner.id));
		expect(events.map((e) => e.type)).toContain('recovery-code-used');
	});
});

describe('the pending sign-in', () => {
	it('is found while unexpired, finished once, and never after it expires', async () => {
		const owner = await user();
		const pending = { userId: owner.id, email: owner.email, amr: 'pwd', method: 'password', returnTo: '/account' };
		const token = await beginSecondFactor(database.db, pending, 600, T0);
		expect(await findPendingSecondFactor(database.db, token, at(599))).toEqual(pending);
		expect(await findPendingSecondFactor(database.db, token, at(600))).toBeNull();
		expect(await finishSecondFactor(database.db, token, at(600))).toBeNull();
		expect(await findPendingSecondFactor(database.db, 'forged.token', T0)).toBeNull();
		const results = await Promise.all([finishSecondFactor(database.db, token, at(1)), finishSecondFactor(database.db, token, at(1))]);
		expect(results.filter(Boolean)).toHaveLength(1);
	});
});
