import { asc } from 'drizzle-orm';
import type { Database } from '../db';
import { signingKeys } from '../db/schema';
import type { KeyPolicy } from './keys';

/**
 * The signing keys' lifecycle over time, for the developer page /dev/keys: each key's states
 * (published ahead → signing → retiring → retired, or revoked) and, at each key event, what
 * the JWKS publishes, which key signs, and whether a relying party's cached JWKS already
 * holds that key. Computed from the `jwks` table and the key policy (keys.ts); no I/O but
 * `readKeyRecords`.
 */

/** One row of the `jwks` table, without the key material. */
export interface KeyRecord {
	kid: string;
	alg: string;
	/** `next` | `active` | `retired` | `revoked` (keys.ts). */
	status: string;
	createdAt: Date;
	/** When it stopped signing (retired) or was revoked. */
	retiredAt: Date | null;
}

/**
 * How a relying party caches the JWKS. jose's createRemoteJWKSet (used by the demo sites):
 * keeps a fetched set up to 10 minutes (cacheMaxAge), and on a token with an unknown `kid`
 * refetches, but not within 30 s of its last fetch (cooldownDuration).
 */
export interface RelyingPartyCache {
	maxAgeSeconds: number;
	cooldownSeconds: number;
}

export const JOSE_REMOTE_JWKS_CACHE: RelyingPartyCache = { maxAgeSeconds: 600, cooldownSeconds: 30 };

export type KeyState = 'published-ahead' | 'signing' | 'retiring' | 'retired' | 'revoked';

export interface KeyPhase {
	state: KeyState;
	from: Date;
	/** Absent: open-ended (still in this state). */
	until?: Date;
	/** The phase starts in the future, by policy (a `next` key's first signature). */
	planned: boolean;
}

export interface KeyTimeline {
	kid: string;
	alg: string;
	status: string;
	phases: KeyPhase[];
	/** Published in the JWKS from … until (absent: still published). */
	publishedFrom: Date;
	publishedUntil?: Date;
}

export type CacheVerdict =
	/** The key was published at least one cache lifetime ago: every cached JWKS holds it. */
	| 'cached'
	/** A cache fetched before the key was published lacks it: the RP must refetch (at most every cooldown). */
	| 'refetch'
	/** No JWKS existed a cache lifetime ago: every relying party fetches for the first time. */
	| 'first-fetch';

export interface KeyMoment {
	at: Date;
	/** What happened then, e.g. "RS256 key abc… starts signing". */
	events: string[];
	/** Kids the JWKS publishes at this moment. */
	published: string[];
	/** Per algorithm: the kid that signs at this moment. */
	signing: { alg: string; kid: string; verdict: CacheVerdict }[];
	/** Kids a relying party holds if it fetched one cache lifetime earlier (the oldest cache allowed). */
	oldestCacheHolds: string[];
	/** Revoked kids that such a cache still holds: they verify there until it expires. */
	revokedButCached: string[];
	/** The moment is in the future (a planned promotion or removal). */
	planned: boolean;
}

export interface KeyLifecycle {
	timelines: KeyTimeline[];
	moments: KeyMoment[];
	/** Publish-before-use exceeds the RP cache: a rotation never makes an RP refetch. */
	rotationNeedsNoRefetch: boolean;
	policy: Pick<KeyPolicy, 'publishBeforeUseSeconds' | 'keepRetiredSeconds'>;
	cache: RelyingPartyCache;
}

const seconds = (date: Date, s: number) => new Date(date.getTime() + s * 1000);
const contains = (from: Date, until: Date | undefined, at: Date) => from <= at && (!until || at < until);

/** Each key's timeline and the JWKS / signer / RP cache at every key event (see the module comment). */
export function computeKeyLifecycle(
	records: KeyRecord[],
	policy: Pick<KeyPolicy, 'publishBeforeUseSeconds' | 'keepRetiredSeconds'>,
	now: Date,
	cache: RelyingPartyCache = JOSE_REMOTE_JWKS_CACHE
): KeyLifecycle {
	const sorted = [...records].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.kid.localeCompare(b.kid));
	const timelines = sorted.map((key) => timeline(key, predecessorOf(key, sorted), policy, now));
	// A published successor also plans its predecessor's end: it stops signing when the successor starts.
	for (const next of timelines.filter((t) => t.status === 'next')) {
		const active = timelines.find((t) => t.alg === next.alg && t.status === 'active');
		const from = next.phases.find((p) => p.state === 'signing')?.from;
		if (!active || !from) continue;
		const signing = active.phases.find((p) => p.state === 'signing' && !p.until);
		if (signing) signing.until = from;
		const gone = seconds(from, policy.keepRetiredSeconds);
		active.phases.push({ state: 'retiring', from, until: gone, planned: true }, { state: 'retired', from: gone, planned: true });
		active.publishedUntil = gone;
	}
	const events = new Map<number, { at: Date; events: string[] }>();
	const addEvent = (at: Date, text: string) => {
		const entry = events.get(at.getTime()) ?? { at, events: [] };
		entry.events.push(text);
		events.set(at.getTime(), entry);
	};
	for (const t of timelines) {
		const name = `${t.alg} key ${shortKid(t.kid)}`;
		for (const phase of t.phases) {
			const text = {
				'published-ahead': `${name} is published ahead of use`,
				signing: `${name} starts signing`,
				retiring: `${name} stops signing; still published so what it signed verifies`,
				retired: `${name} leaves the JWKS`,
				revoked: `${name} is revoked: out of the JWKS at once`
			}[phase.state];
			addEvent(phase.from, phase.state === 'signing' && t.phases[0].state === 'signing' ? `${name} is created and signs at once` : text);
		}
	}
	addEvent(now, 'now');
	const firstPublished = timelines.length ? Math.min(...timelines.map((t) => t.publishedFrom.getTime())) : Infinity;
	const moments = [...events.values()]
		.sort((a, b) => a.at.getTime() - b.at.getTime())
		.map(({ at, events: texts }): KeyMoment => {
			const published = publishedAt(timelines, at);
			const cachedAt = seconds(at, -cache.maxAgeSeconds);
			const oldestCacheHolds = publishedAt(timelines, cachedAt);
			const signing = timelines
				.filter((t) => t.phases.some((p) => p.state === 'signing' && contains(p.from, p.until, at)))
				.map((t) => ({
					alg: t.alg,
					kid: t.kid,
					verdict: (cachedAt.getTime() < firstPublished ? 'first-fetch' : oldestCacheHolds.includes(t.kid) ? 'cached' : 'refetch') as CacheVerdict
				}));
			const revokedButCached = oldestCacheHolds.filter((kid) =>
				timelines.find((t) => t.kid === kid)?.phases.some((p) => p.state === 'revoked' && p.from <= at)
			);
			return { at, events: texts.filter((e) => e !== 'now' || texts.length === 1), published, signing, oldestCacheHolds, revokedButCached, planned: at > now };
		});
	return {
		timelines,
		moments,
		rotationNeedsNoRefetch: policy.publishBeforeUseSeconds > cache.maxAgeSeconds,
		policy: { publishBeforeUseSeconds: policy.publishBeforeUseSeconds, keepRetiredSeconds: policy.keepRetiredSeconds },
		cache
	};
}

/** The key of the same algorithm created just before this one, if any. */
function predecessorOf(key: KeyRecord, sorted: KeyRecord[]): KeyRecord | undefined {
	const earlier = sorted.filter((k) => k.alg === key.alg && k.createdAt < key.createdAt);
	return earlier[earlier.length - 1];
}

function timeline(
	key: KeyRecord,
	predecessor: KeyRecord | undefined,
	policy: Pick<KeyPolicy, 'publishBeforeUseSeconds' | 'keepRetiredSeconds'>,
	now: Date
): KeyTimeline {
	// A successor starts signing when its predecessor retires (keys.ts promote); a first key,
	// or one made because the signing key was revoked, signs from the moment it exists.
	let signingFrom: Date;
	let planned = false;
	if (key.status === 'next') {
		signingFrom = seconds(key.createdAt, policy.publishBeforeUseSeconds);
		// The promotion happens on the first signature after that moment; never in the past.
		if (signingFrom < now) signingFrom = now;
		planned = true;
	} else if (predecessor?.status === 'retired' && predecessor.retiredAt && predecessor.retiredAt > key.createdAt) {
		signingFrom = predecessor.retiredAt;
	} else {
		signingFrom = key.createdAt;
	}
	const phases: KeyPhase[] = [];
	if (signingFrom > key.createdAt) phases.push({ state: 'published-ahead', from: key.createdAt, until: signingFrom, planned: false });
	if (key.status === 'revoked') {
		const revokedAt = key.retiredAt ?? key.createdAt;
		if (revokedAt > signingFrom) phases.push({ state: 'signing', from: signingFrom, until: revokedAt, planned: false });
		phases.push({ state: 'revoked', from: revokedAt, planned: false });
		return { kid: key.kid, alg: key.alg, status: key.status, phases, publishedFrom: key.createdAt, publishedUntil: revokedAt };
	}
	const retiredAt = key.status === 'retired' ? (key.retiredAt ?? signingFrom) : undefined;
	phases.push({ state: 'signing', from: signingFrom, until: retiredAt, planned });
	if (!retiredAt) return { kid: key.kid, alg: key.alg, status: key.status, phases, publishedFrom: key.createdAt };
	const gone = seconds(retiredAt, policy.keepRetiredSeconds);
	phases.push({ state: 'retiring', from: retiredAt, until: gone, planned: false });
	phases.push({ state: 'retired', from: gone, planned: gone > now });
	return { kid: key.kid, alg: key.alg, status: key.status, phases, publishedFrom: key.createdAt, publishedUntil: gone };
}

function publishedAt(timelines: KeyTimeline[], at: Date): string[] {
	return timelines.filter((t) => contains(t.publishedFrom, t.publishedUntil, at)).map((t) => t.kid);
}

/** The first characters of a kid (an RFC 7638 thumbprint): enough to tell keys apart on screen. */
export function shortKid(kid: string): string {
	return kid.length > 10 ? `${kid.slice(0, 8)}…` : kid;
}

/** Every key in the `jwks` table, without key material. */
export async function readKeyRecords(db: Database): Promise<KeyRecord[]> {
	return db
		.select({ kid: signingKeys.id, alg: signingKeys.alg, status: signingKeys.status, createdAt: signingKeys.createdAt, retiredAt: signingKeys.retiredAt })
		.from(signingKeys)
		.orderBy(asc(signingKeys.createdAt));
}
