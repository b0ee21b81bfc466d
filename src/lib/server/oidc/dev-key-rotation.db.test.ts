import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../tests/support/database';
import { signingKeys } from '../db/schema';
import { browserSignOf, NoSuccessorPublished, rotateForLab } from './dev-key-rotation';
import { KeyStore } from './keys';

const database = useTestDatabase();
const SECRET = 'lab-rotation-secret-0123456789abcdef';

async function publishedKids(store: KeyStore): Promise<string[]> {
	return (JSON.parse(await store.publicJWKS()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
}

describe("rotateForLab: the common-issues lab's rotations (development only)", () => {
	it('unannounced: a new RS256 key signs at once; the old one stays published (retiring) so what it signed still verifies', async () => {
		await database.db.delete(signingKeys);
		const store = new KeyStore(database.db, SECRET);
		const before = await store.signingKey('RS256');
		const now = new Date();
		const result = await rotateForLab(store, 'unannounced', now);
		expect(result).toMatchObject({ mode: 'unannounced', alg: 'RS256', previousKid: before.kid, signsFrom: now.toISOString() });
		expect(result.kid).not.toBe(before.kid);
		expect((await store.signingKey('RS256')).kid).toBe(result.kid);
		expect(await publishedKids(store)).toEqual(expect.arrayContaining([before.kid, result.kid]));
		expect(await store.verificationKey(before.kid)).toBeDefined();
	});

	it('publish-ahead then promote: the successor is published without signing, then signs; promote without one is refused', async () => {
		await database.db.delete(signingKeys);
		const store = new KeyStore(database.db, SECRET);
		const before = await store.signingKey('RS256');
		await expect(rotateForLab(store, 'promote', new Date())).rejects.toBeInstanceOf(NoSuccessorPublished);
		const ahead = await rotateForLab(store, 'publish-ahead', new Date());
		expect(new Date(ahead.signsFrom).getTime() - new Date(ahead.publishedAt).getTime()).toBe(store.policy.publishBeforeUseSeconds * 1000);
		expect(await publishedKids(store)).toContain(ahead.kid);
		expect((await store.signingKey('RS256')).kid).toBe(before.kid);
		const promoted = await rotateForLab(store, 'promote', new Date());
		expect(promoted).toMatchObject({ kid: ahead.kid, previousKid: before.kid, publishedAt: ahead.publishedAt });
		expect((await store.signingKey('RS256')).kid).toBe(ahead.kid);
	});
});

describe("browserSignOf: what marks a request as a browser's", () => {
	it.each([
		['origin', 'https://evil.example'],
		['sec-fetch-site', 'same-origin'],
		['sec-fetch-dest', 'empty'],
		['cookie', 'op_session=x']
	])('%s', (name, value) => {
		expect(browserSignOf(new Headers({ [name]: value }))).toBe(name);
	});

	it("a server's fetch (Node sends sec-fetch-mode only) is not a browser's", () => {
		expect(browserSignOf(new Headers({ 'sec-fetch-mode': 'cors', 'user-agent': 'node', authorization: 'Basic x' }))).toBeNull();
	});
});
