import type { KeyStore, SigningAlgorithm } from './keys';

/**
 * The development-only key rotation the demo sites' common-issues lab calls
 * (POST /dev/keys/rotate, only with DEVELOPER_PAGES on). It compresses the key lifecycle of
 * keys.ts into one request so the lab can show what a relying party meets:
 * - `unannounced`: a new key signs at once, never published ahead (what `keys.ts` avoids);
 * - `publish-ahead`: a successor is published but does not sign yet (`npm run keys:rotate`);
 * - `promote`: the published successor signs now instead of after `publishBeforeUseSeconds`.
 */
export const ROTATION_MODES = ['unannounced', 'publish-ahead', 'promote'] as const;
export type RotationMode = (typeof ROTATION_MODES)[number];

export function isRotationMode(value: unknown): value is RotationMode {
	return ROTATION_MODES.includes(value as RotationMode);
}

/** What the lab is told: which key signs ID tokens now, since when, and which one did before. */
export interface RotationResult {
	mode: RotationMode;
	alg: SigningAlgorithm;
	/** The new key. */
	kid: string;
	/** When it entered the JWKS. */
	publishedAt: string;
	/** When it signs (or signed) its first token: now, or after publish-before-use. */
	signsFrom: string;
	/** The key that signed before (absent for `publish-ahead`, which changes no signer). */
	previousKid?: string;
}

export class NoSuccessorPublished extends Error {}

/** Rotates the ID token key (RS256: every demo site's `id_token_signed_response_alg`). */
export async function rotateForLab(keys: KeyStore, mode: RotationMode, now: Date, alg: SigningAlgorithm = 'RS256'): Promise<RotationResult> {
	if (mode === 'publish-ahead') {
		const { kid, publishedAt } = await keys.publishSuccessor(alg);
		const signsFrom = new Date(publishedAt.getTime() + keys.policy.publishBeforeUseSeconds * 1000);
		return { mode, alg, kid, publishedAt: publishedAt.toISOString(), signsFrom: signsFrom.toISOString() };
	}
	if (mode === 'unannounced') {
		// A successor someone published earlier may already sit in relying parties' caches:
		// let it take over first, so the key that signs next is one nobody has seen.
		await keys.promoteSuccessorNow(alg);
		const { kid, publishedAt } = await keys.publishSuccessor(alg);
		const promoted = await keys.promoteSuccessorNow(alg);
		if (!promoted) throw new NoSuccessorPublished('the new key could not take over');
		return { mode, alg, kid, publishedAt: publishedAt.toISOString(), signsFrom: now.toISOString(), previousKid: promoted.previousKid };
	}
	const promoted = await keys.promoteSuccessorNow(alg);
	if (!promoted) throw new NoSuccessorPublished('no successor is published: rotate with mode=publish-ahead first');
	return { mode, alg, kid: promoted.kid, publishedAt: promoted.publishedAt.toISOString(), signsFrom: now.toISOString(), previousKid: promoted.previousKid };
}

/**
 * Why a request to the rotation endpoint looks like it came from a browser, or null. Browsers
 * send `Origin` on cross-origin and form POSTs and `Sec-Fetch-*` on every request (Fetch
 * Metadata, W3C), and ambient cookies; the demo sites' server sends none of them. This is a
 * second wall: the endpoint also requires a demo site's client credentials, which no page holds.
 */
export function browserSignOf(headers: Headers): string | null {
	for (const name of ['origin', 'sec-fetch-site', 'sec-fetch-dest', 'cookie']) if (headers.has(name)) return name;
	return null;
}
