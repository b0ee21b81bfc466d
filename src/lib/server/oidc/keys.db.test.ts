import { compactDecrypt, createLocalJWKSet, decodeProtectedHeader, jwtVerify, SignJWT, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../tests/support/database';
import { signingKeys } from '../db/schema';
import { KeyStore, SIGNING_ALGORITHMS } from './keys';

const database = useTestDatabase();
const SECRET = 'keys-test-secret-0123456789abcdef';
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

async function keyRows() {
	return database.db.select().from(signingKeys);
}

async function resetKeys() {
	await database.db.delete(signingKeys);
}

async function publishedKeys(store: KeyStore): Promise<JWK[]> {
	return (JSON.parse(await store.publicJWKS()) as { keys: JWK[] }).keys;
}

/**
 * The key that wraps private keys, derived as keys.ts documents (HKDF-SHA-256 of the server
 * secret). Used only to prove that what is stored is not readable without the secret.
 */
async function wrappingKey(secret: string): Promise<Uint8Array> {
	const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), 'HKDF', false, ['deriveBits']);
	const bits = await crypto.subtle.deriveBits(
		{ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(), info: new TextEncoder().encode('jwks private key encryption') },
		material,
		256
	);
	return new Uint8Array(bits);
}

describe('KeyStore: keys created on first need (the guide\'s "Why JWK table is empty")', () => {
	it('the jwks table is empty on a fresh database, and stays empty until a key is needed', async () => {
		expect(await keyRows()).toHaveLength(0);
		new KeyStore(database.db, SECRET);
		expect(await keyRows()).toHaveLength(0);
	});

	it('the first publicJWKS() creates exactly one key per algorithm, RS256 first', async () => {
		await resetKeys();
		const store = new KeyStore(database.db, SECRET);
		const keys = await publishedKeys(store);
		expect(keys.map((k) => k.alg).sort()).toEqual(['ES256', 'EdDSA', 'RS256']);
		const rows = await keyRows();
		expect(rows).toHaveLength(3);
		for (const row of rows) expect(row).toMatchObject({ id: keys.find((k) => k.alg === row.alg)!.kid, status: 'active' });
	});

	it('the first signingKey() creates exactly one key, the one publicJWKS() then publishes', async () => {
		await resetKeys();
		const store = new KeyStore(database.db, SECRET);
		const key = await store.signingKey();
		expect(key.alg).toBe('RS256');
		expect(await keyRows()).toHaveLength(1);
		expect((await publishedKeys(store)).find((k) => k.alg === 'RS256')?.kid).toBe(key.kid);
	});

	it('16 concurrent first calls on two KeyStore instances end with ONE RS256 key, and every call sees the same kid', async () => {
		await resetKeys();
		const a = new KeyStore(database.db, SECRET);
		const b = new KeyStore(database.db, SECRET);
		const calls = Array.from({ length: 16 }, (_, i) => {
			const store = i % 2 === 0 ? a : b;
			return i % 4 < 2 ? store.signingKey().then((k) => k.kid) : publishedKeys(store).then((keys) => keys.find((k) => k.alg === 'RS256')!.kid!);
		});
		const kids = await Promise.all(calls);
		const rows = await keyRows();
		expect(rows.filter((r) => r.alg === 'RS256')).toHaveLength(1);
		expect(
			rows
				.filter((r) => r.status === 'active')
				.map((r) => r.alg)
				.sort()
		).toEqual(['ES256', 'EdDSA', 'RS256']);
		expect(new Set(kids)).toEqual(new Set([rows.find((r) => r.alg === 'RS256')!.id]));
	});

	it('a later call reuses the stored key (no new row, same kid) on a new instance', async () => {
		const before = await keyRows();
		const fresh = new KeyStore(database.db, SECRET);
		expect((await fresh.signingKey()).kid).toBe(before.find((r) => r.alg === 'RS256')!.id);
		expect(await keyRows()).toHaveLength(before.length);
	});
});

describe('KeyStore: private keys at rest', () => {
	it('private_key is a compact JWE (5 parts, dir + A256GCM) that does not contain the private key', async () => {
		const row = (await keyRows()).find((r) => r.alg === 'RS256')!;
		const parts = row.privateKey.split('.');
		expect(parts).toHaveLength(5);
		const header = decodeProtectedHeader(row.privateKey);
		expect(header).toMatchObject({ alg: 'dir', enc: 'A256GCM' });
		// What the ciphertext hides, recovered with the secret: it is the private JWK...
		const { plaintext } = await compactDecrypt(row.privateKey, await wrappingKey(SECRET));
		const jwk = JSON.parse(new TextDecoder().decode(plaintext)) as JWK;
		expect(jwk.n).toBe((row.publicKey as JWK).n);
		// ...and none of its secret members appear in the stored column, raw or base64url-decoded.
		const decodedParts = parts.map((p) => Buffer.from(p, 'base64url').toString('latin1'));
		for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const) {
			const value = jwk[member];
			expect(value, member).toBeTypeOf('string');
			expect(row.privateKey).not.toContain(value!.slice(0, 32));
			for (const part of decodedParts) expect(part).not.toContain(value!.slice(0, 32));
		}
		expect(row.privateKey).not.toContain('"d"');
		for (const part of decodedParts) expect(part).not.toContain('"d"');
	});

	it('a KeyStore with a different secret cannot use the stored key', async () => {
		const wrong = new KeyStore(database.db, 'a-different-secret-0123456789abcdef');
		const before = (await keyRows()).length;
		await expect(wrong.signingKey()).rejects.toThrow();
		expect(await keyRows()).toHaveLength(before);
	});

	it('the stored public_key column has no private members', async () => {
		for (const row of await keyRows()) {
			for (const member of PRIVATE_MEMBERS) expect(row.publicKey, member).not.toHaveProperty(member);
		}
	});
});

describe('KeyStore: the published JWKS (RFC 7517)', () => {
	it('has only public members, and each key has kid, kty, alg, use', async () => {
		const store = new KeyStore(database.db, SECRET);
		const keys = await publishedKeys(store);
		expect(keys.length).toBeGreaterThan(0);
		for (const key of keys) {
			for (const member of PRIVATE_MEMBERS) expect(key, member).not.toHaveProperty(member);
			expect(key.use).toBe('sig');
			expect(key.kid).toBeTypeOf('string');
			if (key.alg === 'RS256') {
				expect(key).toMatchObject({ kty: 'RSA', e: 'AQAB' });
				// RSA keys of at least 2048 bits.
				expect(Buffer.from(key.n!, 'base64url').length * 8).toBeGreaterThanOrEqual(2048);
			} else if (key.alg === 'ES256') expect(key).toMatchObject({ kty: 'EC', crv: 'P-256' });
			else expect(key).toMatchObject({ alg: 'EdDSA', kty: 'OKP', crv: 'Ed25519' });
		}
	});

	it('a token signed with signingKey() verifies with the published JWKS, on any instance', async () => {
		const signer = new KeyStore(database.db, SECRET);
		const key = await signer.signingKey();
		const token = await new SignJWT({ hello: 'world' }).setProtectedHeader({ alg: key.alg, kid: key.kid }).setIssuedAt().sign(key.privateKey);
		const other = new KeyStore(database.db, SECRET);
		const { payload } = await jwtVerify(token, createLocalJWKSet(JSON.parse(await other.publicJWKS())));
		expect(payload.hello).toBe('world');
		await expect(jwtVerify(token, (h) => other.verificationKey(h.kid).then((k) => k!))).resolves.toBeTruthy();
	});

	it('verificationKey() knows only our kids', async () => {
		const store = new KeyStore(database.db, SECRET);
		expect(await store.verificationKey(undefined)).toBeUndefined();
		expect(await store.verificationKey('not-a-kid')).toBeUndefined();
	});

	it('offers RS256 first (OIDC Core §15.1), then ES256 and EdDSA', () => {
		expect([...SIGNING_ALGORITHMS]).toEqual(['RS256', 'ES256', 'EdDSA']);
	});
});

describe('KeyStore: rotation never fails a verification', () => {
	const policy = { rotateAfterSeconds: 90 * 86400, publishBeforeUseSeconds: 900, keepRetiredSeconds: 3900 };
	function clockAt(start: Date) {
		let now = start.getTime();
		return { now: () => new Date(now), advance: (seconds: number) => (now += seconds * 1000) };
	}
	const kidsOf = async (store: KeyStore) => (await publishedKeys(store)).filter((k) => k.alg === 'RS256').map((k) => k.kid);

	it('a scheduled key is published first, signs only after the lead time, and the old key stays until its tokens expire', async () => {
		await resetKeys();
		const clock = clockAt(new Date('2031-01-01T00:00:00Z'));
		const store = new KeyStore(database.db, SECRET, { now: clock.now, refreshSeconds: 0, policy });
		const old = await store.signingKey();
		const oldToken = await new SignJWT({})
			.setProtectedHeader({ alg: 'RS256', kid: old.kid })
			.setIssuedAt(clock.now())
			.setExpirationTime(Math.floor(clock.now().getTime() / 1000) + 3600)
			.sign(old.privateKey);
		const [next] = await store.scheduleRotation();
		// Published at once, so relying parties' caches learn it before it is used...
		expect(await kidsOf(store)).toEqual([old.kid, next]);
		// ...but not used yet.
		clock.advance(899);
		expect((await store.signingKey()).kid).toBe(old.kid);
		clock.advance(1);
		expect((await store.signingKey()).kid).toBe(next);
		// The retired key is still published while tokens it signed can be valid...
		clock.advance(3899);
		expect(await kidsOf(store)).toEqual([old.kid, next]);
		const jwks = createLocalJWKSet(JSON.parse(await store.publicJWKS()));
		await expect(jwtVerify(oldToken, jwks, { currentDate: new Date('2031-01-01T00:59:59Z') })).resolves.toBeTruthy();
		// ...and goes once they cannot be.
		clock.advance(1);
		expect(await kidsOf(store)).toEqual([next]);
		const rows = (await keyRows()).filter((r) => r.alg === 'RS256');
		expect(rows.map((r) => r.status).sort()).toEqual(['active', 'retired']);
	});

	it('the automatic policy schedules a successor once the active key is old enough', async () => {
		await resetKeys();
		const clock = clockAt(new Date('2031-01-01T00:00:00Z'));
		const store = new KeyStore(database.db, SECRET, { now: clock.now, refreshSeconds: 0, policy });
		const first = await store.signingKey();
		clock.advance(policy.rotateAfterSeconds);
		expect((await store.signingKey()).kid).toBe(first.kid);
		expect(await kidsOf(store)).toHaveLength(2);
		clock.advance(policy.publishBeforeUseSeconds);
		expect((await store.signingKey()).kid).not.toBe(first.kid);
	});

	it('two instances promoting at the same moment end with one active key', async () => {
		await resetKeys();
		const clock = clockAt(new Date('2031-01-01T00:00:00Z'));
		const a = new KeyStore(database.db, SECRET, { now: clock.now, refreshSeconds: 0, policy });
		const b = new KeyStore(database.db, SECRET, { now: clock.now, refreshSeconds: 0, policy });
		await a.signingKey();
		const [next] = await a.scheduleRotation();
		clock.advance(policy.publishBeforeUseSeconds);
		const kids = await Promise.all([a.signingKey(), b.signingKey(), a.signingKey(), b.signingKey()].map((p) => p.then((k) => k.kid)));
		expect(new Set(kids)).toEqual(new Set([next]));
		const active = (await keyRows()).filter((r) => r.alg === 'RS256' && r.status === 'active');
		expect(active.map((r) => r.id)).toEqual([next]);
	});
});

describe('KeyStore: revoking a compromised key (npm run keys -- revoke KID)', () => {
	function clockAt(start: Date) {
		let now = start.getTime();
		return { now: () => new Date(now), advance: (seconds: number) => (now += seconds * 1000) };
	}
	const sign = (key: { alg: string; kid: string; privateKey: CryptoKey }) =>
		new SignJWT({ hello: 'world' }).setProtectedHeader({ alg: key.alg, kid: key.kid }).setIssuedAt().sign(key.privateKey);

	it(
		'the active key: a new one signs at once; ' + 'every instance refuses the old one after its next status check, without waiting for the JWKS refresh',
		async () => {
			await resetKeys();
			const clock = clockAt(new Date('2031-06-01T00:00:00Z'));
			// Another instance that has verified with the key and keeps its JWKS for an hour.
			const other = new KeyStore(database.db, SECRET, { now: clock.now, refreshSeconds: 3600, statusCheckSeconds: 5 });
			const operator = new KeyStore(database.db, SECRET, { now: clock.now });
			const compromised = await other.signingKey();
			const token = await sign(compromised);
			await expect(jwtVerify(token, (h) => other.verificationKey(h.kid).then((k) => k!))).resolves.toBeTruthy();

			const result = await operator.revoke(compromised.kid);
			expect(result).toMatchObject({ alg: 'RS256', wasActive: true });
			expect(result!.activeKid).not.toBe(compromised.kid);
			expect((await publishedKeys(operator)).map((k) => k.kid)).not.toContain(compromised.kid);
			expect(await operator.verificationKey(compromised.kid)).toBeUndefined();

			clock.advance(5);
			expect(await other.verificationKey(compromised.kid)).toBeUndefined();
			expect((await other.signingKey()).kid).toBe(result!.activeKid);
			expect((await publishedKeys(other)).map((k) => k.kid)).not.toContain(compromised.kid);
			const rows = (await keyRows()).filter((r) => r.alg === 'RS256');
			expect(rows.map((r) => r.status).sort()).toEqual(['active', 'revoked']);
		}
	);

	it('a key that is not signing (next or retired) is unpublished; the active key stays; an unknown kid → null', async () => {
		await resetKeys();
		const store = new KeyStore(database.db, SECRET, { statusCheckSeconds: 0 });
		const active = await store.signingKey();
		const [next] = await store.scheduleRotation();
		expect(await store.revoke(next)).toMatchObject({ alg: 'RS256', wasActive: false, activeKid: active.kid });
		expect((await publishedKeys(store)).map((k) => k.kid)).not.toContain(next);
		expect(await store.revoke('no-such-kid')).toBeNull();
	});
});
