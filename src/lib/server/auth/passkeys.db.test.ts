// WebAuthn Level 3 §7.1 (registration) and §7.2 (authentication), each check with a test that
// fails without it. The authenticator is tests/support/authenticator.ts: real P-256 and RSA key
// pairs, authenticator data, COSE keys and client data built byte by byte.
import { generateKeyPairSync } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createTestUser } from '../../../../tests/support/fixtures';
import { useTestDatabase } from '../../../../tests/support/database';
import { encodeCBOR, FLAGS, fromB64url, TestAuthenticator, type CBOR } from '../../../../tests/support/authenticator';
import { passkeys, securityEvents, webauthnChallenges } from '../db/schema';
import { addPasskey, listPasskeys, removePasskey, renamePasskey } from './account-passkeys';
import { signInWithPasskey } from './passkey-sign-in';
import { authenticationOptions, registerPasskey, registrationOptions, relyingPartyFor, userHandleOf, verifyPasskeySignIn } from './passkeys';
import { CHALLENGE_LIFETIME_SECONDS } from './webauthn-challenges';
import type { SignInLimits } from './password-sign-in';

const database = useTestDatabase();
const RP = relyingPartyFor('https://sso.example.com');
const T0 = new Date('2030-01-01T00:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

async function newUser() {
	const user = await createTestUser(database.db);
	return { id: user.id, email: user.email, name: user.name };
}

/** A user with one registered passkey on `authenticator` (a fresh ES256 one by default). */
async function registered(authenticator = new TestAuthenticator(RP)) {
	const user = await newUser();
	const options = await registrationOptions(database.db, RP, user, T0);
	const result = await registerPasskey(database.db, RP, { userId: user.id, name: 'Laptop', response: authenticator.register(options) }, T0);
	expect(result).toMatchObject({ ok: true });
	return { user, authenticator };
}

const register = async (userId: string, response: ReturnType<TestAuthenticator['register']>) =>
	registerPasskey(database.db, RP, { userId, name: 'Laptop', response }, T0);
const signIn = (response: ReturnType<TestAuthenticator['assert']>, now = at(10)) => verifyPasskeySignIn(database.db, RP, response, now);
const signInOptions = (now = at(5)) => authenticationOptions(database.db, RP, now);

describe('registration options (§5.4)', () => {
	it('name the provider by its host, the user by an opaque handle, and exclude the passkeys already registered', async () => {
		const { user, authenticator } = await registered();
		const options = await registrationOptions(database.db, RP, user, T0);
		expect(options.rp).toEqual({ id: 'sso.example.com', name: 'SSO Provider' });
		expect(fromB64url(options.user.id)).toEqual(userHandleOf(user.id));
		expect(new TextDecoder().decode(fromB64url(options.user.id))).not.toContain('@');
		expect(options.user.name).toBe(user.email);
		expect(options.excludeCredentials).toEqual([{ type: 'public-key', id: authenticator.id }]);
		expect(options.authenticatorSelection).toEqual({ residentKey: 'required', requireResidentKey: true, userVerification: 'required' });
		expect(options.pubKeyCredParams.map((p) => p.alg)).toEqual([-7, -257]);
		expect(options.attestation).toBe('none');
		expect(fromB64url(options.challenge)).toHaveLength(32);
	});

	it('keep only the hash of the challenge', async () => {
		const user = await newUser();
		const options = await registrationOptions(database.db, RP, user, T0);
		const rows = await database.db.select().from(webauthnChallenges).where(eq(webauthnChallenges.userId, user.id));
		expect(rows).toHaveLength(1);
		expect(rows[0].challengeHash).not.toContain(options.challenge);
		expect(rows[0].purpose).toBe('register');
		expect(rows[0].expiresAt).toEqual(at(CHALLENGE_LIFETIME_SECONDS));
	});
});

describe('registration (§7.1)', () => {
	it('stores an ES256 passkey with attestation "none": its COSE key, counter and backup eligibility', async () => {
		const user = await newUser();
		const authenticator = new TestAuthenticator(RP, { backupEligible: true });
		const result = await register(user.id, authenticator.register(await registrationOptions(database.db, RP, user, T0)));
		expect(result).toEqual({
			ok: true,
			value: { id: authenticator.id, publicKey: authenticator.cosePublicKey, algorithm: -7, signCount: 0, backupEligible: true }
		});
		const [row] = await database.db.select().from(passkeys).where(eq(passkeys.id, authenticator.id));
		expect(row).toMatchObject({ userId: user.id, name: 'Laptop', algorithm: -7, backupEligible: true, createdAt: T0, lastUsedAt: null });
		expect(new Uint8Array(row.publicKey)).toEqual(authenticator.cosePublicKey);
	});

	it('stores an RS256 passkey', async () => {
		const user = await newUser();
		const authenticator = new TestAuthenticator(RP, { algorithm: 'RS256' });
		const result = await register(user.id, authenticator.register(await registrationOptions(database.db, RP, user, T0)));
		expect(result).toMatchObject({ ok: true, value: { algorithm: -257, backupEligible: false } });
	});

	it('refuses client data of a sign-in (C.type must be webauthn.create)', async () => {
		const user = await newUser();
		const options = await registrationOptions(database.db, RP, user, T0);
		expect(await register(user.id, new TestAuthenticator(RP).register(options, { type: 'webauthn.get' }))).toEqual({ ok: false, failure: 'wrong-ceremony' });
	});

	it('refuses a challenge used once already', async () => {
		const user = await newUser();
		const options = await registrationOptions(database.db, RP, user, T0);
		expect(await register(user.id, new TestAuthenticator(RP).register(options))).toMatchObject({ ok: true });
		expect(await register(user.id, new TestAuthenticator(RP).register(options))).toEqual({ ok: false, failure: 'challenge' });
	});

	it('refuses a challenge issued for a sign-in, one issued to another user, one never issued, and an expired one', async () => {
		const user = await newUser();
		const other = await newUser();
		const forSignIn = await signInOptions(T0);
		expect(await register(user.id, new TestAuthenticator(RP).register({ challenge: forSignIn.challenge, user: { id: 'dQ' } }))).toEqual({
			ok: false,
			failure: 'challenge'
		});
		const forOther = await registrationOptions(database.db, RP, other, T0);
		expect(await register(user.id, new TestAuthenticator(RP).register(forOther))).toEqual({ ok: false, failure: 'challenge' });
		const options = await registrationOptions(database.db, RP, user, T0);
		expect(await register(user.id, new TestAuthenticator(RP).register({ ...options, challenge: 'bm90LWlzc3VlZA' }))).toEqual({
			ok: false,
			failure: 'challenge'
		});
		const late = await registerPasskey(
			database.db,
			RP,
			{ userId: user.id, name: 'Late', response: new TestAuthenticator(RP).register(options) },
			at(CHALLENGE_LIFETIME_SECONDS + 1)
		);
		expect(late).toEqual({ ok: false, failure: 'challenge' });
	});

	it('refuses another origin: a look-alike site, a demo site on the same host, http for https, and a cross-origin frame', async () => {
		const user = await newUser();
		for (const origin of ['https://sso.example.com.evil.example', 'https://sso.example.com:8443', 'http://sso.example.com']) {
			const options = await registrationOptions(database.db, RP, user, T0);
			expect(await register(user.id, new TestAuthenticator(RP).register(options, { origin })), origin).toEqual({ ok: false, failure: 'origin' });
		}
		const options = await registrationOptions(database.db, RP, user, T0);
		expect(await register(user.id, new TestAuthenticator(RP).register(options, { crossOrigin: true }))).toEqual({ ok: false, failure: 'origin' });
	});

	it('refuses a credential scoped to another RP ID (rpIdHash)', async () => {
		const user = await newUser();
		const options = await registrationOptions(database.db, RP, user, T0);
		expect(await register(user.id, new TestAuthenticator(RP).register(options, { rpId: 'example.com' }))).toEqual({ ok: false, failure: 'rp-id' });
	});

	it('refuses when the user was not present (UP) or not verified (UV)', async () => {
		const user = await newUser();
		const noUV = await registrationOptions(database.db, RP, user, T0);
		expect(await register(user.id, new TestAuthenticator(RP).register(noUV, { flags: FLAGS.UP }))).toEqual({ ok: false, failure: 'user-not-verified' });
		const noUP = await registrationOptions(database.db, RP, user, T0);
		expect(await register(user.id, new TestAuthenticator(RP).register(noUP, { flags: FLAGS.UV }))).toEqual({ ok: false, failure: 'user-not-present' });
	});

	it('refuses BS (backed up) without BE (backup eligible)', async () => {
		const user = await newUser();
		const options = await registrationOptions(database.db, RP, user, T0);
		expect(await register(user.id, new TestAuthenticator(RP).register(options, { flags: FLAGS.UP | FLAGS.UV | FLAGS.BS }))).toEqual({
			ok: false,
			failure: 'backup-flags'
		});
	});

	it('refuses a key algorithm the options did not offer (Ed25519, or ES256 on another curve)', async () => {
		const user = await newUser();
		const ed25519 = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
		const okp = encodeCBOR(
			new Map<CBOR, CBOR>([
				[1, 1],
				[3, -8],
				[-1, 6],
				[-2, fromB64url(ed25519.x!)]
			])
		);
		const options = await registrationOptions(database.db, RP, user, T0);
		expect(await register(user.id, new TestAuthenticator(RP).register(options, { cosePublicKey: okp }))).toEqual({ ok: false, failure: 'algorithm' });
		const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' });
		const wrongCurve = encodeCBOR(
			new Map<CBOR, CBOR>([
				[1, 2],
				[3, -7],
				[-1, 2],
				[-2, fromB64url(p384.x!)],
				[-3, fromB64url(p384.y!)]
			])
		);
		const again = await registrationOptions(database.db, RP, user, T0);
		expect(await register(user.id, new TestAuthenticator(RP).register(again, { cosePublicKey: wrongCurve }))).toEqual({ ok: false, failure: 'algorithm' });
	});

	it('refuses an attestation other than "none" (the options asked for none)', async () => {
		const user = await newUser();
		const options = await registrationOptions(database.db, RP, user, T0);
		const packed = new TestAuthenticator(RP).register(options, {
			fmt: 'packed',
			attStmt: new Map<CBOR, CBOR>([
				['alg', -7],
				['sig', new Uint8Array(8)]
			])
		});
		expect(await register(user.id, packed)).toEqual({ ok: false, failure: 'attestation' });
	});

	it('refuses a credential id registered already, for this user or another (and keeps it with its owner)', async () => {
		const { user, authenticator } = await registered();
		const thief = await newUser();
		const options = await registrationOptions(database.db, RP, thief, T0);
		expect(await register(thief.id, authenticator.register(options))).toEqual({ ok: false, failure: 'already-registered' });
		const [row] = await database.db.select().from(passkeys).where(eq(passkeys.id, authenticator.id));
		expect(row.userId).toBe(user.id);
	});

	it('refuses bytes that are not an attestation', async () => {
		const user = await newUser();
		const options = await registrationOptions(database.db, RP, user, T0);
		const response = new TestAuthenticator(RP).register(options);
		expect(await register(user.id, { ...response, attestationObject: new Uint8Array([0xa0]) })).toEqual({ ok: false, failure: 'malformed' });
		expect(await register(user.id, { ...response, clientDataJSON: new TextEncoder().encode('{') })).toEqual({ ok: false, failure: 'malformed' });
	});
});

describe('authentication (§7.2)', () => {
	it('signs in with a device-bound passkey as hwk + mfa, and records its use', async () => {
		const { user, authenticator } = await registered();
		const result = await signIn(authenticator.assert(await signInOptions()));
		expect(result).toEqual({ ok: true, value: { userId: user.id, passkeyId: authenticator.id, amr: ['hwk', 'mfa'] } });
		const [row] = await database.db.select().from(passkeys).where(eq(passkeys.id, authenticator.id));
		expect(row.lastUsedAt).toEqual(at(10));
	});

	it('signs in with a synced passkey (BE) as swk + mfa', async () => {
		const { authenticator } = await registered(new TestAuthenticator(RP, { backupEligible: true }));
		expect(await signIn(authenticator.assert(await signInOptions()))).toMatchObject({ ok: true, value: { amr: ['swk', 'mfa'] } });
	});

	it('checks RS256 signatures', async () => {
		const { authenticator } = await registered(new TestAuthenticator(RP, { algorithm: 'RS256' }));
		expect(await signIn(authenticator.assert(await signInOptions()))).toMatchObject({ ok: true });
		expect(
			await signIn(authenticator.assert(await signInOptions(), { signWith: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey }))
		).toMatchObject({
			ok: false,
			failure: 'signature'
		});
	});

	it('offers any passkey of the site (allowCredentials empty) and requires user verification', async () => {
		const options = await signInOptions();
		expect(options).toMatchObject({ rpId: 'sso.example.com', allowCredentials: [], userVerification: 'required', timeout: CHALLENGE_LIFETIME_SECONDS * 1000 });
	});

	it('refuses a replayed assertion (the challenge is single-use)', async () => {
		const { authenticator } = await registered();
		const assertion = authenticator.assert(await signInOptions());
		expect(await signIn(assertion)).toMatchObject({ ok: true });
		expect(await signIn(assertion)).toMatchObject({ ok: false, failure: 'challenge' });
	});

	it('refuses the challenge of a registration, and an expired one', async () => {
		const { user, authenticator } = await registered();
		const forRegistration = await registrationOptions(database.db, RP, user, T0);
		expect(await signIn(authenticator.assert({ challenge: forRegistration.challenge }))).toMatchObject({ ok: false, failure: 'challenge' });
		const options = await signInOptions(T0);
		expect(await signIn(authenticator.assert(options), at(CHALLENGE_LIFETIME_SECONDS + 1))).toMatchObject({ ok: false, failure: 'challenge' });
	});

	it('refuses client data of a registration (C.type must be webauthn.get)', async () => {
		const { authenticator } = await registered();
		expect(await signIn(authenticator.assert(await signInOptions(), { type: 'webauthn.create' }))).toMatchObject({ ok: false, failure: 'wrong-ceremony' });
	});

	it('refuses another origin and another RP ID', async () => {
		const { authenticator } = await registered();
		expect(await signIn(authenticator.assert(await signInOptions(), { origin: 'https://evil.example' }))).toMatchObject({ ok: false, failure: 'origin' });
		expect(await signIn(authenticator.assert(await signInOptions(), { crossOrigin: true }))).toMatchObject({ ok: false, failure: 'origin' });
		expect(await signIn(authenticator.assert(await signInOptions(), { rpId: 'evil.example' }))).toMatchObject({ ok: false, failure: 'rp-id' });
	});

	it('refuses an assertion without user verification (UV) or presence (UP)', async () => {
		const { authenticator } = await registered();
		expect(await signIn(authenticator.assert(await signInOptions(), { flags: FLAGS.UP }))).toMatchObject({ ok: false, failure: 'user-not-verified' });
		expect(await signIn(authenticator.assert(await signInOptions(), { flags: FLAGS.UV }))).toMatchObject({ ok: false, failure: 'user-not-present' });
	});

	it('refuses a passkey whose backup eligibility changed since registration', async () => {
		const { authenticator } = await registered();
		expect(await signIn(authenticator.assert(await signInOptions(), { flags: FLAGS.UP | FLAGS.UV | FLAGS.BE }))).toMatchObject({
			ok: false,
			failure: 'backup-flags'
		});
	});

	it('refuses a signature by another key, and authenticator data changed after signing', async () => {
		const { authenticator } = await registered();
		const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
		expect(await signIn(authenticator.assert(await signInOptions(), { signWith: otherKey }))).toMatchObject({ ok: false, failure: 'signature' });
		const assertion = authenticator.assert(await signInOptions());
		const tampered = Uint8Array.from(assertion.authenticatorData);
		tampered[36] ^= 0x01; // the counter's last byte
		expect(await signIn({ ...assertion, authenticatorData: tampered })).toMatchObject({ ok: false, failure: 'signature' });
		expect(await signIn({ ...authenticator.assert(await signInOptions()), signature: new Uint8Array([0x30, 0x00]) })).toMatchObject({
			ok: false,
			failure: 'signature'
		});
	});

	it('refuses a counter that does not increase (§6.1.1: a possible clone), and accepts one that does', async () => {
		const { authenticator } = await registered(new TestAuthenticator(RP, { counter: 5 }));
		expect(await signIn(authenticator.assert(await signInOptions(), { counter: 9 }))).toMatchObject({ ok: true });
		expect(await signIn(authenticator.assert(await signInOptions(), { counter: 9 }))).toMatchObject({ ok: false, failure: 'counter' });
		expect(await signIn(authenticator.assert(await signInOptions(), { counter: 7 }))).toMatchObject({ ok: false, failure: 'counter' });
		expect(await signIn(authenticator.assert(await signInOptions(), { counter: 0 }))).toMatchObject({ ok: false, failure: 'counter' });
		expect(await signIn(authenticator.assert(await signInOptions(), { counter: 10 }))).toMatchObject({ ok: true });
		const [row] = await database.db.select().from(passkeys).where(eq(passkeys.id, authenticator.id));
		expect(row.signCount).toBe(10);
	});

	it('accepts an authenticator that keeps no counter (always 0)', async () => {
		const { authenticator } = await registered();
		expect(await signIn(authenticator.assert(await signInOptions()))).toMatchObject({ ok: true });
		expect(await signIn(authenticator.assert(await signInOptions()))).toMatchObject({ ok: true });
	});

	it("refuses a credential presented with another user's handle, or with none", async () => {
		const { authenticator } = await registered();
		const other = await newUser();
		expect(await signIn(authenticator.assert(await signInOptions(), { userHandle: userHandleOf(other.id) }))).toMatchObject({
			ok: false,
			failure: 'user-handle'
		});
		expect(await signIn(authenticator.assert(await signInOptions(), { userHandle: null }))).toMatchObject({ ok: false, failure: 'user-handle' });
	});

	it("names the credential's owner in a refusal once the credential is known (for their security log), and nobody for an unknown one", async () => {
		const { user, authenticator } = await registered();
		expect(await signIn(authenticator.assert(await signInOptions(), { origin: 'https://evil.example' }))).toEqual({
			ok: false,
			failure: 'origin',
			credentialOwner: user.id
		});
		const stranger = new TestAuthenticator(RP);
		stranger.userHandle = userHandleOf(user.id);
		expect(await signIn(stranger.assert(await signInOptions()))).toEqual({ ok: false, failure: 'unknown-credential' });
	});

	it('refuses an unknown credential, and one removed from the account', async () => {
		const stranger = new TestAuthenticator(RP);
		stranger.userHandle = new Uint8Array([1]);
		expect(await signIn(stranger.assert(await signInOptions()))).toMatchObject({ ok: false, failure: 'unknown-credential' });
		const { user, authenticator } = await registered();
		expect(await removePasskey(database.db, user.id, authenticator.id, {})).toBe(true);
		expect(await signIn(authenticator.assert(await signInOptions()))).toMatchObject({ ok: false, failure: 'unknown-credential' });
	});
});

describe('passkey sign-in rate limit', () => {
	const LIMITS: SignInLimits = {
		perAccountAndAddress: { kind: 'window', limit: 5, windowSeconds: 900 },
		perAddress: { kind: 'window', limit: 3, windowSeconds: 900 },
		perAccount: { kind: 'delay', freeAttempts: 10, windowSeconds: 3600, firstDelaySeconds: 1, maxDelaySeconds: 60 }
	};

	it('holds an address back after its failed attempts, before any check; successes do not count', async () => {
		const { authenticator } = await registered();
		const address = `198.51.100.${Math.floor(Math.random() * 200)}`;
		const attempt = async (response: ReturnType<TestAuthenticator['assert']>) =>
			signInWithPasskey(database.db, RP, { response, clientAddress: address }, LIMITS, at(10));
		expect(await attempt(authenticator.assert(await signInOptions()))).toMatchObject({ signedIn: { amr: ['hwk', 'mfa'] } });
		for (let i = 0; i < 3; i++)
			expect(await attempt(authenticator.assert(await signInOptions(), { origin: 'https://evil.example' }))).toEqual({ failure: 'origin' });
		const held = await attempt(authenticator.assert(await signInOptions()));
		expect(held).toMatchObject({ failure: 'rate-limited' });
	});
});

describe('the account console', () => {
	it('adds a passkey under the chosen name and logs it; refuses an empty or overlong name before any check', async () => {
		const user = await newUser();
		const authenticator = new TestAuthenticator(RP);
		const options = await registrationOptions(database.db, RP, user, T0);
		expect(await addPasskey(database.db, RP, { userId: user.id, name: '  ', response: authenticator.register(options), origin: {} }, T0)).toMatchObject({
			status: 'invalid-name'
		});
		expect(
			await addPasskey(database.db, RP, { userId: user.id, name: 'x'.repeat(61), response: authenticator.register(options), origin: {} }, T0)
		).toMatchObject({ status: 'invalid-name' });
		const added = await addPasskey(
			database.db,
			RP,
			{ userId: user.id, name: ' Chrome  on Linux ', response: authenticator.register(options), origin: { ipAddress: '192.0.2.1' } },
			T0
		);
		expect(added).toEqual({ status: 'added', id: authenticator.id });
		expect(await listPasskeys(database.db, user.id)).toEqual([
			{ id: authenticator.id, name: 'Chrome on Linux', synced: false, createdAt: T0, lastUsedAt: null }
		]);
		const events = await database.db.select().from(securityEvents).where(eq(securityEvents.userId, user.id));
		expect(events.map((e) => [e.type, e.detail, e.ipAddress])).toEqual([['passkey-added', { name: 'Chrome on Linux' }, '192.0.2.1']]);
	});

	it("renames and removes only the user's own passkeys; removal is logged", async () => {
		const { user, authenticator } = await registered();
		const other = await newUser();
		expect(await renamePasskey(database.db, other.id, authenticator.id, 'Mine now')).toEqual({ status: 'gone' });
		expect(await removePasskey(database.db, other.id, authenticator.id, {})).toBe(false);
		expect(await renamePasskey(database.db, user.id, authenticator.id, '')).toMatchObject({ status: 'invalid-name' });
		expect(await renamePasskey(database.db, user.id, authenticator.id, 'Work laptop')).toEqual({ status: 'renamed' });
		expect((await listPasskeys(database.db, user.id))[0].name).toBe('Work laptop');
		expect(await removePasskey(database.db, user.id, authenticator.id, {})).toBe(true);
		expect(await listPasskeys(database.db, user.id)).toEqual([]);
		const events = await database.db.select().from(securityEvents).where(eq(securityEvents.userId, user.id));
		expect(events.map((e) => [e.type, e.detail])).toEqual([['passkey-removed', { name: 'Work laptop' }]]);
	});
});
