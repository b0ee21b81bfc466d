import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { config } from '$lib/server/config';
import { provider } from '$lib/server/provider';
import { computeKeyLifecycle, readKeyRecords } from '$lib/server/oidc/key-lifecycle';

// Developer page (DEVELOPER_PAGES): the signing keys' lifecycle. Public key ids and dates
// only, never key material; still off in production unless the operator turns it on.
export const load: PageServerLoad = async ({ setHeaders }) => {
	if (!config().developerPages) error(404, 'Not Found');
	const { db, keys } = await provider();
	// The JWKS is what relying parties see; reading it first also creates the first keys on a fresh database.
	const jwks = JSON.parse(await keys.publicJWKS()) as { keys: { kid?: string }[] };
	const now = new Date();
	const lifecycle = computeKeyLifecycle(await readKeyRecords(db), keys.policy, now);
	setHeaders({ 'cache-control': 'no-store' });
	const iso = (d: Date | undefined) => d?.toISOString();
	return {
		now: now.toISOString(),
		publishedNow: jwks.keys.map((k) => k.kid ?? ''),
		rotationNeedsNoRefetch: lifecycle.rotationNeedsNoRefetch,
		policy: lifecycle.policy,
		cache: lifecycle.cache,
		timelines: lifecycle.timelines.map((t) => ({
			...t,
			publishedFrom: t.publishedFrom.toISOString(),
			publishedUntil: iso(t.publishedUntil),
			phases: t.phases.map((p) => ({ ...p, from: p.from.toISOString(), until: iso(p.until) }))
		})),
		moments: lifecycle.moments.map((m) => ({ ...m, at: m.at.toISOString() }))
	};
};
