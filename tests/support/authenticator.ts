// A software authenticator for tests: real key pairs (node:crypto), and the WebAuthn
// structures built byte by byte as an authenticator and a browser build them (authenticator
// data §6.1, attested credential data §6.5.2, COSE_Key RFC 9052 §7, attestation object
// §6.5.4, client data §5.8.1). Each field can be overridden, to play the attacker.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

export type Algorithm = 'ES256' | 'RS256';

/** Authenticator data flags (§6.1). */
export const FLAGS = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40, ED: 0x80 } as const;

// ---- a minimal CBOR encoder (RFC 8949): the types WebAuthn structures use
export type CBOR = number | string | Uint8Array | Map<CBOR, CBOR>;

function head(major: number, n: number): number[] {
	if (n < 24) return [(major << 5) | n];
	if (n < 0x100) return [(major << 5) | 24, n];
	if (n < 0x10000) return [(major << 5) | 25, n >> 8, n & 0xff];
	return [(major << 5) | 26, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

export function encodeCBOR(value: CBOR): Uint8Array {
	if (typeof value === 'number') return Uint8Array.from(value >= 0 ? head(0, value) : head(1, -1 - value));
	if (typeof value === 'string') {
		const bytes = new TextEncoder().encode(value);
		return concat(Uint8Array.from(head(3, bytes.length)), bytes);
	}
	if (value instanceof Uint8Array) return concat(Uint8Array.from(head(2, value.length)), value);
	const parts: Uint8Array[] = [Uint8Array.from(head(5, value.size))];
	for (const [k, v] of value) parts.push(encodeCBOR(k), encodeCBOR(v));
	return concat(...parts);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
	const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
	let at = 0;
	for (const p of parts) {
		out.set(p, at);
		at += p.length;
	}
	return out;
}

export const sha256 = (data: Uint8Array | string) => new Uint8Array(createHash('sha256').update(data).digest());
export const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
export const fromB64url = (value: string) => new Uint8Array(Buffer.from(value, 'base64url'));

export interface Ceremony {
	/** Overrides what the "browser" puts into client data. */
	type?: string;
	origin?: string;
	challenge?: string;
	crossOrigin?: boolean;
	/** Overrides what the "authenticator" puts into authenticator data. */
	rpId?: string;
	flags?: number;
	counter?: number;
}

/** One credential on one authenticator (a passkey), for one relying party. */
export class TestAuthenticator {
	readonly credentialId = new Uint8Array(randomBytes(16));
	readonly privateKey: KeyObject;
	readonly cosePublicKey: Uint8Array;
	counter: number;
	/** The user handle it was registered with (what a discoverable credential returns at sign-in). */
	userHandle: Uint8Array | null = null;

	constructor(
		readonly rp: { id: string; origin: string },
		readonly options: { algorithm?: Algorithm; backupEligible?: boolean; counter?: number } = {}
	) {
		const algorithm = options.algorithm ?? 'ES256';
		this.counter = options.counter ?? 0;
		if (algorithm === 'ES256') {
			const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
			const jwk = publicKey.export({ format: 'jwk' });
			this.privateKey = privateKey;
			this.cosePublicKey = encodeCBOR(
				new Map<CBOR, CBOR>([
					[1, 2],
					[3, -7],
					[-1, 1],
					[-2, fromB64url(jwk.x!)],
					[-3, fromB64url(jwk.y!)]
				])
			);
		} else {
			const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
			const jwk = publicKey.export({ format: 'jwk' });
			this.privateKey = privateKey;
			this.cosePublicKey = encodeCBOR(
				new Map<CBOR, CBOR>([
					[1, 3],
					[3, -257],
					[-1, fromB64url(jwk.n!)],
					[-2, fromB64url(jwk.e!)]
				])
			);
		}
	}

	get id(): string {
		return b64url(this.credentialId);
	}

	private defaultFlags(): number {
		return FLAGS.UP | FLAGS.UV | (this.options.backupEligible ? FLAGS.BE | FLAGS.BS : 0);
	}

	clientData(kind: 'webauthn.create' | 'webauthn.get', challenge: string, c: Ceremony): Uint8Array {
		const data: Record<string, unknown> = { type: c.type ?? kind, challenge: c.challenge ?? challenge, origin: c.origin ?? this.rp.origin };
		if (c.crossOrigin !== undefined) data.crossOrigin = c.crossOrigin;
		return new TextEncoder().encode(JSON.stringify(data));
	}

	authenticatorData(c: Ceremony, attested: Uint8Array | null, flags = c.flags ?? this.defaultFlags()): Uint8Array {
		const counter = c.counter ?? this.counter;
		const header = concat(
			sha256(c.rpId ?? this.rp.id),
			Uint8Array.of(attested ? flags | FLAGS.AT : flags),
			Uint8Array.of((counter >>> 24) & 0xff, (counter >> 16) & 0xff, (counter >> 8) & 0xff, counter & 0xff)
		);
		return attested ? concat(header, attested) : header;
	}

	/** navigator.credentials.create(): the registration response for server options. */
	register(options: { challenge: string; user: { id: string } }, c: Ceremony & { fmt?: string; attStmt?: Map<CBOR, CBOR>; cosePublicKey?: Uint8Array } = {}) {
		this.userHandle = fromB64url(options.user.id);
		const idLength = Uint8Array.of(this.credentialId.length >> 8, this.credentialId.length & 0xff);
		const attested = concat(new Uint8Array(16), idLength, this.credentialId, c.cosePublicKey ?? this.cosePublicKey);
		const authData = this.authenticatorData(c, attested);
		const attestationObject = encodeCBOR(
			new Map<CBOR, CBOR>([
				['fmt', c.fmt ?? 'none'],
				['attStmt', c.attStmt ?? new Map()],
				['authData', authData]
			])
		);
		return { clientDataJSON: this.clientData('webauthn.create', options.challenge, c), attestationObject };
	}

	/** navigator.credentials.get(): a signed assertion for server options (the counter goes up first, if it counts). */
	assert(options: { challenge: string }, c: Ceremony & { userHandle?: Uint8Array | null; signWith?: KeyObject } = {}) {
		if (this.counter > 0 && c.counter === undefined) this.counter++;
		const clientDataJSON = this.clientData('webauthn.get', options.challenge, c);
		const authenticatorData = this.authenticatorData(c, null);
		const signature = new Uint8Array(sign('sha256', concat(authenticatorData, sha256(clientDataJSON)), c.signWith ?? this.privateKey));
		return {
			credentialId: this.credentialId,
			clientDataJSON,
			authenticatorData,
			signature,
			userHandle: c.userHandle === undefined ? this.userHandle : c.userHandle
		};
	}

	/** The assertion as the browser script posts it (base64url JSON). */
	assertJSON(options: { challenge: string }, c: Parameters<TestAuthenticator['assert']>[1] = {}) {
		const a = this.assert(options, c);
		return {
			id: b64url(a.credentialId),
			clientDataJSON: b64url(a.clientDataJSON),
			authenticatorData: b64url(a.authenticatorData),
			signature: b64url(a.signature),
			userHandle: a.userHandle ? b64url(a.userHandle) : null
		};
	}
}
