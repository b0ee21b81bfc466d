import { and, eq, gt, isNull, or } from 'drizzle-orm';
import {
	calculateJwkThumbprint,
	CompactEncrypt,
	compactDecrypt,
	exportJWK,
	generateKeyPair,
	importJWK,
	type CryptoKey,
	type JWK
} from 'jose';
import type { Database } from '../db';
import { signingKeys } from '../db/schema';

export type SigningAlgorithm = 'RS256' | 'ES256' | 'EdDSA';
export const SIGNING_ALGORITHMS: readonly SigningAlgorithm[] = ['RS256'];

export interface SigningKey {
	kid: string;
	alg: SigningAlgorithm;
	privateKey: CryptoKey;
}

export interface KeyStoreOptions {
	now?: () => Date;
	/** How long this instance trusts its cached view of the key table (other instances may rotate). */
	refreshSeconds?: number;
	/** How long a retired key stays published: the longest lifetime of anything it signed. */
	retiredKeyGraceSeconds?: number;
}

/**
 * The provider's signing keys (RFC 7517 JWKS). Keys are created on first need and stored in
 * the `jwks` table with the private half encrypted (JWE, dir + A256GCM) under a key derived
 * from the server secret. The active key is decrypted once and kept in memory; the public
 * JWKS document is serialized once and rebuilt only when the key table changes.
 */
export class KeyStore {
	private readonly now: () => Date;
	private readonly refreshMs: number;
	private readonly graceMs: number;
	private readonly encryptionKey: Promise<Uint8Array>;
	private readonly active = new Map<SigningAlgorithm, { key: SigningKey; checkedAt: number }>();
	private readonly pending = new Map<SigningAlgorithm, Promise<SigningKey>>();
	private published: { json: string; keys: JWK[]; builtAt: number } | undefined;
	private readonly imported = new Map<string, CryptoKey>();

	constructor(
		private readonly db: Database,
		secret: string,
		options: KeyStoreOptions = {}
	) {
		this.now = options.now ?? (() => new Date());
		this.refreshMs = (options.refreshSeconds ?? 60) * 1000;
		this.graceMs = (options.retiredKeyGraceSeconds ?? 24 * 3600) * 1000;
		this.encryptionKey = deriveEncryptionKey(secret);
	}

	/** The key to sign with now, created if none exists yet. */
	async signingKey(alg: SigningAlgorithm = 'RS256'): Promise<SigningKey> {
		const cached = this.active.get(alg);
		if (cached && this.now().getTime() - cached.checkedAt < this.refreshMs) return cached.key;
		// Concurrent callers in this process share one lookup (and at most one generation).
		let pending = this.pending.get(alg);
		if (!pending) {
			pending = this.loadOrCreate(alg, cached?.key).finally(() => this.pending.delete(alg));
			this.pending.set(alg, pending);
		}
		return pending;
	}

	/** The public JWKS document, serialized; creates the first key on a fresh database. */
	async publicJWKS(): Promise<string> {
		return (await this.publishedKeys()).json;
	}

	/** The public key for `kid`, for verifying tokens this provider issued; undefined if unknown. */
	async verificationKey(kid: string | undefined): Promise<CryptoKey | undefined> {
		if (!kid) return undefined;
		const imported = this.imported.get(kid);
		if (imported) return imported;
		let jwk = (await this.publishedKeys()).keys.find((k) => k.kid === kid);
		if (!jwk) {
			// A key another instance created since our last look.
			this.published = undefined;
			jwk = (await this.publishedKeys()).keys.find((k) => k.kid === kid);
		}
		if (!jwk) return undefined;
		const key = await importJWK(jwk, jwk.alg);
		if (key instanceof Uint8Array) return undefined;
		this.imported.set(kid, key);
		return key;
	}

	private async publishedKeys() {
		const now = this.now().getTime();
		if (this.published && now - this.published.builtAt < this.refreshMs) return this.published;
		await this.signingKey();
		const cutoff = new Date(now - this.graceMs);
		const rows = await this.db
			.select({ publicKey: signingKeys.publicKey })
			.from(signingKeys)
			.where(or(eq(signingKeys.status, 'active'), and(eq(signingKeys.status, 'retired'), gt(signingKeys.retiredAt, cutoff))))
			.orderBy(signingKeys.createdAt);
		const keys = rows.map((r) => r.publicKey as JWK);
		this.published = { json: JSON.stringify({ keys }), keys, builtAt: now };
		return this.published;
	}

	private async loadOrCreate(alg: SigningAlgorithm, current: SigningKey | undefined): Promise<SigningKey> {
		let row = await this.activeRow(alg);
		if (!row) {
			await this.insertNewKey(alg);
			row = await this.activeRow(alg);
			if (!row) throw new Error(`no active ${alg} key after generation`);
			this.published = undefined;
		}
		const key =
			current?.kid === row.id
				? current
				: { kid: row.id, alg, privateKey: await this.decryptPrivateKey(row.privateKey, alg) };
		this.active.set(alg, { key, checkedAt: this.now().getTime() });
		return key;
	}

	private async activeRow(alg: SigningAlgorithm) {
		const [row] = await this.db
			.select({ id: signingKeys.id, privateKey: signingKeys.privateKey })
			.from(signingKeys)
			.where(and(eq(signingKeys.alg, alg), eq(signingKeys.status, 'active'), isNull(signingKeys.retiredAt)))
			.limit(1);
		return row;
	}

	/**
	 * Inserts a fresh active key unless one exists. The partial unique index
	 * `jwks_one_active_key_per_alg` decides races between instances: losers insert nothing.
	 */
	private async insertNewKey(alg: SigningAlgorithm): Promise<void> {
		const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true, crv: 'Ed25519', modulusLength: 2048 });
		const publicJWK = await exportJWK(publicKey);
		const kid = await calculateJwkThumbprint(publicJWK);
		const privateJWE = await new CompactEncrypt(new TextEncoder().encode(JSON.stringify(await exportJWK(privateKey))))
			.setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid })
			.encrypt(await this.encryptionKey);
		await this.db
			.insert(signingKeys)
			.values({
				id: kid,
				alg,
				publicKey: { ...publicJWK, kid, alg, use: 'sig' },
				privateKey: privateJWE,
				status: 'active',
				createdAt: this.now()
			})
			.onConflictDoNothing();
	}

	private async decryptPrivateKey(jwe: string, alg: SigningAlgorithm): Promise<CryptoKey> {
		const { plaintext } = await compactDecrypt(jwe, await this.encryptionKey);
		const key = await importJWK(JSON.parse(new TextDecoder().decode(plaintext)) as JWK, alg);
		if (key instanceof Uint8Array) throw new Error('signing keys must be asymmetric');
		return key;
	}
}

/** HKDF-SHA-256 of the server secret, used only to wrap private signing keys. */
async function deriveEncryptionKey(secret: string): Promise<Uint8Array> {
	const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), 'HKDF', false, ['deriveBits']);
	const bits = await crypto.subtle.deriveBits(
		{ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(), info: new TextEncoder().encode('jwks private key encryption') },
		material,
		256
	);
	return new Uint8Array(bits);
}
