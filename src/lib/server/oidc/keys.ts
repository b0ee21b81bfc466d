import { and, eq, gt, inArray, ne, or } from 'drizzle-orm';
import { calculateJwkThumbprint, CompactEncrypt, compactDecrypt, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { Database } from '../db';
import { signingKeys } from '../db/schema';
import { deriveRefreshSuccessorKey } from './refresh-rotation';

import type { SigningAlgorithm } from '../db/schema/keys';

export type { SigningAlgorithm };
/** RS256 first: OIDC Core §15.1 requires it, and it is every client's default. */
export const SIGNING_ALGORITHMS: readonly SigningAlgorithm[] = ['RS256', 'ES256', 'EdDSA'];

export function isSigningAlgorithm(value: unknown): value is SigningAlgorithm {
	return SIGNING_ALGORITHMS.includes(value as SigningAlgorithm);
}

export interface SigningKey {
	kid: string;
	alg: SigningAlgorithm;
	privateKey: CryptoKey;
}

/**
 * When keys change. A key's life: `next` (published, not yet signing) → `active` (signing) →
 * `retired` (published, no longer signing) → gone. A compromised key is `revoked` by the
 * operator (`npm run keys -- revoke KID`) at any point: unpublished and refused at once.
 */
export interface KeyPolicy {
	/** Age after which the active key gets a successor. */
	rotateAfterSeconds: number;
	/**
	 * How long a successor is published before it signs. Longer than any relying party's
	 * JWKS cache (jose: 10 minutes; our Cache-Control: 5), so nobody meets an unknown `kid`.
	 */
	publishBeforeUseSeconds: number;
	/** How long a retired key stays published: the longest lifetime of anything it signed. */
	keepRetiredSeconds: number;
}

export const DEFAULT_KEY_POLICY: KeyPolicy = {
	rotateAfterSeconds: 90 * 24 * 3600,
	publishBeforeUseSeconds: 15 * 60,
	keepRetiredSeconds: 3600 + 5 * 60
};

export interface KeyStoreOptions {
	now?: () => Date;
	/** How long this instance trusts its cached view of the key table (other instances may rotate). */
	refreshSeconds?: number;
	/**
	 * How often this instance re-reads the list of key ids and statuses (no private keys, no
	 * decryption), so a key revoked anywhere stops verifying and signing here within seconds.
	 */
	statusCheckSeconds?: number;
	policy?: Partial<KeyPolicy>;
}

/**
 * The provider's signing keys (RFC 7517 JWKS). Keys are created on first need and stored in
 * the `jwks` table with the private half encrypted (JWE, dir + A256GCM) under a key derived
 * from the server secret. The active key is decrypted once and kept in memory; the public
 * JWKS document is serialized once and rebuilt only when this instance re-reads the table.
 */
export class KeyStore {
	private readonly now: () => Date;
	private readonly refreshMs: number;
	readonly policy: KeyPolicy;
	private readonly encryptionKey: Promise<Uint8Array>;
	/** Derives each refresh token's one successor (refresh-rotation.ts); like the key wrap, from the server secret. */
	readonly refreshSuccessorKey: Promise<CryptoKey>;
	private readonly active = new Map<SigningAlgorithm, { key: SigningKey; checkedAt: number }>();
	private readonly pending = new Map<SigningAlgorithm, Promise<SigningKey>>();
	private published: { json: string; keys: JWK[]; builtAt: number } | undefined;
	private readonly imported = new Map<string, CryptoKey>();
	private readonly statusCheckMs: number;
	private statuses: { byKid: Map<string, string>; fingerprint: string; checkedAt: number } | undefined;
	private statusCheck: Promise<void> | undefined;

	constructor(
		private readonly db: Database,
		secret: string,
		options: KeyStoreOptions = {}
	) {
		this.now = options.now ?? (() => new Date());
		this.refreshMs = (options.refreshSeconds ?? 60) * 1000;
		this.statusCheckMs = (options.statusCheckSeconds ?? 5) * 1000;
		this.policy = { ...DEFAULT_KEY_POLICY, ...options.policy };
		this.encryptionKey = deriveEncryptionKey(secret);
		this.refreshSuccessorKey = deriveRefreshSuccessorKey(secret);
	}

	/** The key to sign with now, created if none exists yet. */
	async signingKey(alg: SigningAlgorithm = 'RS256'): Promise<SigningKey> {
		if (this.statusCheckDue()) await this.checkStatuses();
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

	/** The public JWKS document, serialized; creates the first keys on a fresh database. */
	async publicJWKS(): Promise<string> {
		return (await this.publishedKeys()).json;
	}

	/** The public key for `kid`, for verifying tokens this provider issued; undefined if unknown. */
	async verificationKey(kid: string | undefined): Promise<CryptoKey | undefined> {
		if (!kid) return undefined;
		if (this.statusCheckDue()) await this.checkStatuses();
		if (this.statuses?.byKid.get(kid) === 'revoked') return undefined;
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

	/**
	 * Publishes a successor for each algorithm now; it starts signing after
	 * `publishBeforeUseSeconds` (`npm run keys:rotate`). Returns the new kids.
	 */
	async scheduleRotation(): Promise<string[]> {
		const kids: string[] = [];
		for (const alg of SIGNING_ALGORITHMS) {
			await this.signingKey(alg);
			const kid = await this.insertKey(alg, 'next');
			if (kid) kids.push(kid);
		}
		this.forget();
		return kids;
	}

	/**
	 * Revokes a compromised key (`npm run keys -- revoke KID`): it leaves the JWKS and no
	 * instance verifies with it or signs with it once it next checks the statuses (within
	 * `statusCheckSeconds`). If it was the active key, a fresh key takes over at once (a
	 * published `next` key stays on its own schedule). Returns the revoked key's algorithm and
	 * the active kid now, or null for an unknown kid.
	 */
	async revoke(kid: string): Promise<{ alg: SigningAlgorithm; wasActive: boolean; activeKid: string } | null> {
		const [row] = await this.db.select({ alg: signingKeys.alg, status: signingKeys.status }).from(signingKeys).where(eq(signingKeys.id, kid)).limit(1);
		if (!row || !isSigningAlgorithm(row.alg)) return null;
		await this.db
			.update(signingKeys)
			.set({ status: 'revoked', retiredAt: this.now() })
			.where(and(eq(signingKeys.id, kid), ne(signingKeys.status, 'revoked')));
		this.forget();
		this.statuses = undefined;
		// With no active key left, the usual first-use path creates one (race-free across instances).
		const active = await this.signingKey(row.alg);
		return { alg: row.alg, wasActive: row.status === 'active', activeKid: active.kid };
	}

	/**
	 * Development lab only (dev-key-rotation.ts): publishes a successor for `alg` now, like
	 * `scheduleRotation` but for one algorithm. Returns the published successor (new or existing).
	 */
	async publishSuccessor(alg: SigningAlgorithm): Promise<{ kid: string; publishedAt: Date }> {
		await this.signingKey(alg);
		await this.insertKey(alg, 'next');
		this.forget();
		const { next } = await this.currentRows(alg);
		if (!next) throw new Error(`no ${alg} successor after publishing one`);
		return { kid: next.id, publishedAt: next.createdAt };
	}

	/**
	 * Development lab only: the published successor signs from now on, without waiting
	 * `publishBeforeUseSeconds` (which is what keeps relying parties' caches ahead of it).
	 * Returns the kids before and after, or null when no successor is published.
	 */
	async promoteSuccessorNow(alg: SigningAlgorithm): Promise<{ previousKid: string; kid: string; publishedAt: Date } | null> {
		const { active, next } = await this.currentRows(alg);
		if (!active || !next) return null;
		await this.promote(active.id, next.id, this.now());
		this.forget();
		return { previousKid: active.id, kid: next.id, publishedAt: next.createdAt };
	}

	/** Drops every cached view, so the next call re-reads the table. */
	forget(): void {
		this.active.clear();
		this.published = undefined;
		this.imported.clear();
	}

	private statusCheckDue(): boolean {
		return !this.statuses || this.now().getTime() - this.statuses.checkedAt >= this.statusCheckMs;
	}

	/**
	 * Re-reads every key's id and status (a few short rows), and drops from memory what is no
	 * longer good: a revoked or deleted key's imported public key, an active key that no longer
	 * is, and the JWKS document when anything changed. Concurrent callers share one query.
	 */
	private checkStatuses(): Promise<void> {
		this.statusCheck ??= (async () => {
			const rows = await this.db.select({ id: signingKeys.id, status: signingKeys.status }).from(signingKeys);
			const byKid = new Map(rows.map((r) => [r.id, r.status]));
			const fingerprint = rows
				.map((r) => `${r.id}:${r.status}`)
				.sort()
				.join(',');
			for (const kid of this.imported.keys()) {
				const status = byKid.get(kid);
				if (!status || status === 'revoked') this.imported.delete(kid);
			}
			for (const [alg, { key }] of this.active) if (byKid.get(key.kid) !== 'active') this.active.delete(alg);
			if (this.statuses && this.statuses.fingerprint !== fingerprint) this.published = undefined;
			this.statuses = { byKid, fingerprint, checkedAt: this.now().getTime() };
		})().finally(() => (this.statusCheck = undefined));
		return this.statusCheck;
	}

	private async publishedKeys() {
		if (this.statusCheckDue()) await this.checkStatuses();
		const now = this.now().getTime();
		if (this.published && now - this.published.builtAt < this.refreshMs) return this.published;
		// Every algorithm's key exists before the first JWKS goes out, so no relying party
		// caches a set that lacks the key its first token is signed with.
		await Promise.all(SIGNING_ALGORITHMS.map((alg) => this.signingKey(alg)));
		const cutoff = new Date(now - this.policy.keepRetiredSeconds * 1000);
		const rows = await this.db
			.select({ publicKey: signingKeys.publicKey })
			.from(signingKeys)
			.where(or(inArray(signingKeys.status, ['active', 'next']), and(eq(signingKeys.status, 'retired'), gt(signingKeys.retiredAt, cutoff))))
			.orderBy(signingKeys.createdAt);
		const keys = rows.map((r) => r.publicKey);
		this.published = { json: JSON.stringify({ keys }), keys, builtAt: now };
		return this.published;
	}

	private async loadOrCreate(alg: SigningAlgorithm, current: SigningKey | undefined): Promise<SigningKey> {
		const rows = await this.currentRows(alg);
		const { next } = rows;
		let { active } = rows;
		const now = this.now();
		if (!active) {
			await this.insertKey(alg, 'active');
			({ active } = await this.currentRows(alg));
			if (!active) throw new Error(`no active ${alg} key after generation`);
			this.published = undefined;
		} else if (next && now.getTime() - next.createdAt.getTime() >= this.policy.publishBeforeUseSeconds * 1000) {
			await this.promote(active.id, next.id, now);
			({ active } = await this.currentRows(alg));
			if (!active) throw new Error(`no active ${alg} key after rotation`);
			this.published = undefined;
		} else if (!next && now.getTime() - active.createdAt.getTime() >= this.policy.rotateAfterSeconds * 1000) {
			await this.insertKey(alg, 'next');
			this.published = undefined;
		}
		const key = current?.kid === active.id ? current : { kid: active.id, alg, privateKey: await this.decryptPrivateKey(active.privateKey, alg) };
		this.active.set(alg, { key, checkedAt: this.now().getTime() });
		return key;
	}

	private async currentRows(alg: SigningAlgorithm) {
		const rows = await this.db
			.select({ id: signingKeys.id, status: signingKeys.status, createdAt: signingKeys.createdAt, privateKey: signingKeys.privateKey })
			.from(signingKeys)
			.where(and(eq(signingKeys.alg, alg), inArray(signingKeys.status, ['active', 'next'])));
		return { active: rows.find((r) => r.status === 'active'), next: rows.find((r) => r.status === 'next') };
	}

	/**
	 * The successor starts signing and the old key retires, atomically. Of several instances
	 * doing this at once, the first commits and the others find nothing left to retire.
	 */
	private async promote(activeId: string, nextId: string, now: Date): Promise<void> {
		await this.db.transaction(async (tx) => {
			const retired = await tx
				.update(signingKeys)
				.set({ status: 'retired', retiredAt: now })
				.where(and(eq(signingKeys.id, activeId), eq(signingKeys.status, 'active')))
				.returning({ id: signingKeys.id });
			if (retired.length === 0) return;
			await tx
				.update(signingKeys)
				.set({ status: 'active' })
				.where(and(eq(signingKeys.id, nextId), eq(signingKeys.status, 'next')));
		});
	}

	/**
	 * Inserts a fresh key unless one with that status exists. The partial unique indexes
	 * (one `active` and one `next` per algorithm) decide races between instances: losers
	 * insert nothing. Returns the new kid, or undefined when another insert won.
	 */
	private async insertKey(alg: SigningAlgorithm, status: 'active' | 'next'): Promise<string | undefined> {
		const { publicKey, privateKey } = await generateKeyPair(alg, {
			extractable: true,
			...(alg === 'EdDSA' ? { crv: 'Ed25519' } : alg === 'RS256' ? { modulusLength: 2048 } : {})
		});
		const publicJWK = await exportJWK(publicKey);
		const kid = await calculateJwkThumbprint(publicJWK);
		const privateJWE = await new CompactEncrypt(new TextEncoder().encode(JSON.stringify(await exportJWK(privateKey))))
			.setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid })
			.encrypt(await this.encryptionKey);
		const inserted = await this.db
			.insert(signingKeys)
			.values({ id: kid, alg, publicKey: { ...publicJWK, kid, alg, use: 'sig' }, privateKey: privateJWE, status, createdAt: this.now() })
			.onConflictDoNothing()
			.returning({ id: signingKeys.id });
		return inserted[0]?.id;
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
