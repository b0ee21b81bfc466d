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

	it('the first publicJWKS() creates exactly one key', async () => {
		await resetKeys();
		const store = new KeyStore(database.db, SECRET);
		const keys = await publishedKeys(store);
		expect(keys).toHaveLength(1);
		const rows = await keyRows();
		expect(rows).toHaveLength(1);
		expect(rows[0]).toMatchObject({ id: keys[0].kid, alg: 'RS256', status: 'active' });
	});

	it('the first signingKey() creates exactly one key, the one publicJWKS() then publishes', async () => {
		await resetKeys();
		const store = new KeyStore(database.db, SECRET);
		const key = await store.signingKey();
		expect(key.alg).toBe('RS256');
		expect(await keyRows()).toHaveLength(1);
		expect((await publishedKeys(store)).map((k) => k.kid)).toEqual([key.kid]);
	});

	it('16 concurrent first calls on two KeyStore instances end with ONE key, and every call sees the same kid', async () => {
		await resetKeys();
		const a = new KeyStore(database.db, SECRET);
		const b = new KeyStore(database.db, SECRET);
		const calls = Array.from({ length: 16 }, (_, i) => {
			const store = i % 2 === 0 ? a : b;
			return i % 4 < 2 ? store.signingKey().then((k) => k.kid) : publishedKeys(store).then((keys) => keys.map((k) => k.kid).join(','));
		});
		const kids = await Promise.all(calls);
		const rows = await keyRows();
		expect(rows).toHaveLength(1);
		expect(new Set(kids)).toEqual(new Set([rows[0].id]));
	});

	it('a later call reuses the stored key (no new row, same kid) on a new instance', async () => {
		const [row] = await keyRows();
		const fresh = new KeyStore(database.db, SECRET);
		expect((await fresh.signingKey()).kid).toBe(row.id);
		expect(await keyRows()).toHaveLength(1);
	});
});

describe('KeyStore: private keys at rest', () => {
	it('private_key is a compact JWE (5 parts, dir + A256GCM) that does not contain the private key', async () => {
		const [row] = await keyRows();
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
		await expect(wrong.signingKey()).rejects.toThrow();
		expect(await keyRows()).toHaveLength(1);
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
			expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
			expect(key.kid).toBeTypeOf('string');
			expect(key.n).toBeTypeOf('string');
			expect(key.e).toBe('AQAB');
			// RSA keys of at least 2048 bits.
			expect(Buffer.from(key.n!, 'base64url').length * 8).toBeGreaterThanOrEqual(2048);
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

	it('advertises RS256 only (the guide\'s configuration)', () => {
		expect([...SIGNING_ALGORITHMS]).toEqual(['RS256']);
	});
});
