import { describe, expect, it } from 'vitest';
import { computeKeyLifecycle, type KeyRecord } from './key-lifecycle';
import { DEFAULT_KEY_POLICY } from './keys';

// Fixed times: the default policy publishes a successor 15 min before it signs, keeps a
// retired key 65 min, and the relying party (jose) caches the JWKS for 10 min.
const T0 = new Date('2026-01-01T00:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const POLICY = DEFAULT_KEY_POLICY;
const key = (kid: string, status: string, createdMin: number, retiredMin?: number): KeyRecord => ({
	kid,
	alg: 'RS256',
	status,
	createdAt: at(createdMin),
	retiredAt: retiredMin === undefined ? null : at(retiredMin)
});
const momentAt = (lifecycle: ReturnType<typeof computeKeyLifecycle>, minutes: number) => {
	const moment = lifecycle.moments.find((m) => m.at.getTime() === at(minutes).getTime());
	if (!moment) throw new Error(`no moment at ${minutes} min`);
	return moment;
};

describe('key lifecycle: a first key', () => {
	const lifecycle = computeKeyLifecycle([key('first', 'active', 0)], POLICY, at(60));

	it('signs from the moment it is created, with no published-ahead phase', () => {
		expect(lifecycle.timelines[0].phases).toEqual([{ state: 'signing', from: at(0), until: undefined, planned: false }]);
	});

	it('is fetched fresh by every relying party at first, and cached an hour later', () => {
		expect(momentAt(lifecycle, 0).signing).toEqual([{ alg: 'RS256', kid: 'first', verdict: 'first-fetch' }]);
		expect(momentAt(lifecycle, 60)).toMatchObject({ published: ['first'], oldestCacheHolds: ['first'], signing: [{ kid: 'first', verdict: 'cached' }] });
	});
});

describe('key lifecycle: a rotation', () => {
	// old signs from 0; new is published at 100, takes over at 115 (old retires then).
	const records = [key('old', 'retired', 0, 115), key('new', 'active', 100)];
	const lifecycle = computeKeyLifecycle(records, POLICY, at(300));
	const [old, successor] = lifecycle.timelines;

	it("publishes the successor ahead, and it signs from its predecessor's retirement", () => {
		expect(successor.phases.map((p) => [p.state, p.from, p.until])).toEqual([
			['published-ahead', at(100), at(115)],
			['signing', at(115), undefined]
		]);
	});

	it('keeps the retired key published for keepRetiredSeconds after it stopped signing, then drops it', () => {
		expect(old.phases.map((p) => [p.state, p.from, p.until])).toEqual([
			['signing', at(0), at(115)],
			['retiring', at(115), at(180)],
			['retired', at(180), undefined]
		]);
		expect(momentAt(lifecycle, 115).published).toEqual(['old', 'new']);
		expect(momentAt(lifecycle, 180).published).toEqual(['new']);
	});

	it('at the switch, a cache fetched 10 minutes earlier already holds the new key: no refetch', () => {
		const moment = momentAt(lifecycle, 115);
		expect(moment.signing).toEqual([{ alg: 'RS256', kid: 'new', verdict: 'cached' }]);
		expect(moment.oldestCacheHolds).toContain('new');
		expect(lifecycle.rotationNeedsNoRefetch).toBe(true);
	});

	it('with publish-before-use shorter than the RP cache, the switch needs a refetch', () => {
		const short = computeKeyLifecycle([key('old', 'retired', 0, 105), key('new', 'active', 100)], { ...POLICY, publishBeforeUseSeconds: 300 }, at(300));
		expect(momentAt(short, 105).signing).toEqual([{ alg: 'RS256', kid: 'new', verdict: 'refetch' }]);
		expect(short.rotationNeedsNoRefetch).toBe(false);
	});

	it("plans a published successor's start and its predecessor's retirement", () => {
		const pending = computeKeyLifecycle([key('current', 'active', 0), key('next', 'next', 100)], POLICY, at(105));
		const [current, next] = pending.timelines;
		expect(next.phases.map((p) => [p.state, p.from, p.planned])).toEqual([
			['published-ahead', at(100), false],
			['signing', at(115), true]
		]);
		expect(current.phases.map((p) => [p.state, p.from, p.until])).toEqual([
			['signing', at(0), at(115)],
			['retiring', at(115), at(180)],
			['retired', at(180), undefined]
		]);
		expect(momentAt(pending, 115)).toMatchObject({ planned: true, signing: [{ kid: 'next', verdict: 'cached' }] });
	});
});

describe('key lifecycle: a revoked key', () => {
	// compromised was signing; revoked at 200, and a fresh key signs at once.
	const records = [key('compromised', 'revoked', 0, 200), key('fresh', 'active', 200)];
	const lifecycle = computeKeyLifecycle(records, POLICY, at(300));

	it('leaves the JWKS at once, with no retiring phase', () => {
		expect(lifecycle.timelines[0].phases.map((p) => p.state)).toEqual(['signing', 'revoked']);
		expect(momentAt(lifecycle, 200).published).toEqual(['fresh']);
	});

	it('its replacement signs at once, so relying parties must refetch, and their caches still hold the revoked key', () => {
		const moment = momentAt(lifecycle, 200);
		expect(moment.signing).toEqual([{ alg: 'RS256', kid: 'fresh', verdict: 'refetch' }]);
		expect(moment.revokedButCached).toEqual(['compromised']);
	});

	it('once a cache lifetime has passed, no cache holds it any more', () => {
		expect(momentAt(lifecycle, 300).revokedButCached).toEqual([]);
	});
});
