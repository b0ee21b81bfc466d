// Finding 5 (issue #6), from the attacker's side against the production build: password
// guessing is counted before the password is checked, so a parallel burst cannot outrun the
// limit, and nobody can lock the real owner out from another address.
//
// A server of our own with adapter-node's ADDRESS_HEADER, so each request can say which
// client address it comes from (as a reverse proxy would). The limits are the defaults:
// 5 failures per account and address per 15 minutes, 30 per address, and per account 10
// free failures, then delays doubling from 1 s up to 60 s.
import { beforeAll, describe, expect, it } from 'vitest';
import { confirmSignUpLink } from '../support/http';
import { useProductionServer } from '../support/provider-fixture';

const ADDRESS_HEADER = 'x-test-client-ip';
const PER_ACCOUNT_AND_ADDRESS = 5;
const PER_ADDRESS = 30;
const FREE_PER_ACCOUNT = 10;
const MAX_DELAY_SECONDS = 60;

const server = useProductionServer({ port: 4350, serve: 'provider', env: { ADDRESS_HEADER } }, 180_000);
let provider: string;
beforeAll(() => {
	provider = server.urls.provider;
});

let nextAddress = 1;
/** A client address nobody else in this file uses. */
function freshAddress(): string {
	const n = nextAddress++;
	return `198.18.${Math.floor(n / 250)}.${(n % 250) + 1}`;
}

function signInJSON(email: string, password: string, address: string): Promise<Response> {
	return fetch(`${provider}/api/auth/sign-in/email`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', [ADDRESS_HEADER]: address },
		body: JSON.stringify({ email, password })
	});
}

async function newAccount(): Promise<{ email: string; password: string }> {
	const email = `victim-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.com`;
	const password = 'a long and unguessable passphrase';
	const response = await fetch(`${provider}/api/auth/sign-up/email`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', [ADDRESS_HEADER]: freshAddress() },
		body: JSON.stringify({ email, password, name: 'Victim' })
	});
	expect(response.status).toBe(202);
	await confirmSignUpLink(provider, server.mail!.dir, email);
	return { email, password };
}

/** Fires `count` wrong passwords at once; `addressOf(i)` says where each comes from. */
async function burst(email: string, count: number, addressOf: (i: number) => string, whileInFlight?: () => Promise<Response>) {
	const requests = Array.from({ length: count }, (_, i) => signInJSON(email, `wrong password ${i}`, addressOf(i)));
	let during: Promise<Response> | undefined;
	if (whileInFlight) during = Promise.race(requests).then(whileInFlight);
	const responses = await Promise.all(requests);
	const statuses = responses.map((r) => r.status);
	for (const response of responses.filter((r) => r.status === 429)) {
		expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
		expect(await response.json()).toMatchObject({ error: 'rate_limited' });
	}
	return {
		checked: statuses.filter((s) => s === 401).length,
		held: statuses.filter((s) => s === 429).length,
		other: statuses.filter((s) => s !== 401 && s !== 429),
		during: await during
	};
}

describe('password guessing against one account (finding 5)', () => {
	it(
		`60 parallel wrong passwords from one address: at most ${PER_ACCOUNT_AND_ADDRESS} are checked; ` + `the right one sent inside the burst is not accepted`,
		async () => {
			const victim = await newAccount();
			const attacker = freshAddress();
			const result = await burst(
				victim.email,
				60,
				() => attacker,
				() => signInJSON(victim.email, victim.password, attacker)
			);
			expect(result.other).toEqual([]);
			expect(result.checked).toBeLessThanOrEqual(PER_ACCOUNT_AND_ADDRESS);
			expect(result.held).toBeGreaterThanOrEqual(60 - PER_ACCOUNT_AND_ADDRESS);
			// The guess that would have been right is refused unchecked, and so is the next one.
			expect(result.during?.status).toBe(429);
			const after = await signInJSON(victim.email, victim.password, attacker);
			expect(after.status).toBe(429);
			expect(Number(after.headers.get('retry-after'))).toBeGreaterThan(14 * 60);
			expect(after.headers.get('set-cookie')).toBeNull();
		}
	);

	it("after an attacker's burst from one address, the owner signs in at once from another", async () => {
		const victim = await newAccount();
		const attacker = freshAddress();
		await burst(victim.email, 60, () => attacker);
		const owner = await signInJSON(victim.email, victim.password, freshAddress());
		expect(owner.status).toBe(200);
		expect(owner.headers.get('set-cookie')).toMatch(/^op_session=/);
	});

	it(
		`60 parallel guesses from 60 addresses: ${FREE_PER_ACCOUNT} free, then one per growing delay; ` +
			`the owner only has to wait the announced delay (≤ ${MAX_DELAY_SECONDS} s)`,
		async () => {
			const victim = await newAccount();
			const started = Date.now();
			const result = await burst(victim.email, 60, () => freshAddress());
			const seconds = (Date.now() - started) / 1000;
			expect(result.other).toEqual([]);
			// The free ones and one more at once; then one after 1 s, after 2 s more, 4 s more...:
			// a burst that lasted `seconds` can have had at most log2(seconds + 1) of those.
			expect(result.checked).toBeLessThanOrEqual(FREE_PER_ACCOUNT + 1 + Math.floor(Math.log2(seconds + 1)));
			const ownerAddress = freshAddress();
			let owner = await signInJSON(victim.email, victim.password, ownerAddress);
			for (let tries = 0; owner.status === 429 && tries < 3; tries++) {
				const wait = Number(owner.headers.get('retry-after'));
				expect(wait).toBeGreaterThan(0);
				expect(wait).toBeLessThanOrEqual(MAX_DELAY_SECONDS);
				expect((await owner.json()) as { message: string }).toMatchObject({
					message: expect.stringMatching(/^Too many failed sign-in attempts\. Try again in \d+ seconds?\.$/)
				});
				await new Promise((resolve) => setTimeout(resolve, wait * 1000));
				owner = await signInJSON(victim.email, victim.password, ownerAddress);
			}
			expect(owner.status).toBe(200);
		},
		60_000
	);

	it('the sign-in page says when to try again', async () => {
		const victim = await newAccount();
		const attacker = freshAddress();
		const submit = (password: string) =>
			fetch(`${provider}/auth/login`, {
				method: 'POST',
				headers: { 'content-type': 'application/x-www-form-urlencoded', origin: provider, 'sec-fetch-site': 'same-origin', [ADDRESS_HEADER]: attacker },
				body: new URLSearchParams({ email: victim.email, password }),
				redirect: 'manual'
			});
		for (let i = 0; i < PER_ACCOUNT_AND_ADDRESS; i++) expect((await submit(`wrong ${i}`)).status).toBe(400);
		const held = await submit(victim.password);
		expect(held.status).toBe(429);
		expect(await held.text()).toContain('Too many failed sign-in attempts. Try again in 15 minutes.');
		expect(held.headers.get('set-cookie') ?? '').not.toMatch(/op_session=[^;]/);
	});
});

describe('password guessing across accounts (credential stuffing)', () => {
	it(`one address trying 45 accounts at once: at most ${PER_ADDRESS} are checked`, async () => {
		const attacker = freshAddress();
		const responses = await Promise.all(Array.from({ length: 45 }, (_, i) => signInJSON(`stuffed-${i}-${Date.now()}@example.com`, 'Summer2024!', attacker)));
		const statuses = responses.map((r) => r.status);
		expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(PER_ADDRESS);
		expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(45 - PER_ADDRESS);
		expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
		// Another address is not affected.
		expect((await signInJSON('stuffed-0@example.com', 'Summer2024!', freshAddress())).status).toBe(401);
	});
});
