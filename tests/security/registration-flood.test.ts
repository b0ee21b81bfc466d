// Finding 6 (issue #6), from the attacker's side against the production build: one address
// cannot flood client registration or sign-up. A server of our own with tight limits (an
// operator setting) and adapter-node's ADDRESS_HEADER, so each request says where it comes from.
import { beforeAll, describe, expect, it } from 'vitest';
import { expectOAuthError } from '../support/http';
import { useProductionServer } from '../support/provider-fixture';

const ADDRESS_HEADER = 'x-test-client-ip';
const LIMIT = 5;

const server = useProductionServer(
	{
		port: 4356,
		serve: 'provider',
		env: {
			ADDRESS_HEADER,
			RATE_LIMIT_REGISTRATION_PER_IP: `${LIMIT}/1h`,
			RATE_LIMIT_SIGN_UP_PER_IP: `${LIMIT}/1h`
		}
	},
	180_000
);
let provider: string;
beforeAll(() => {
	provider = server.urls.provider;
});

let nextAddress = 1;
function freshAddress(): string {
	return `198.18.100.${nextAddress++}`;
}

function register(address: string, name = 'Flood'): Promise<Response> {
	return fetch(`${provider}/api/auth/register`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', [ADDRESS_HEADER]: address },
		body: JSON.stringify({ redirect_uris: ['https://flood.example.org/cb'], client_name: name })
	});
}

function signUpJSON(address: string, i: number): Promise<Response> {
	return fetch(`${provider}/api/auth/sign-up/email`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', [ADDRESS_HEADER]: address },
		body: JSON.stringify({
			email: `flood-${i}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}@example.com`,
			password: 'a long and unguessable passphrase',
			name: 'Flood'
		})
	});
}

describe('client registration flood (finding 6)', () => {
	it(`30 parallel registrations from one address: ${LIMIT} succeed, the rest get 429 with Retry-After and an RFC 7591-style error`, async () => {
		const attacker = freshAddress();
		const responses = await Promise.all(Array.from({ length: 30 }, (_, i) => register(attacker, `Flood ${i}`)));
		expect(responses.filter((r) => r.status === 201)).toHaveLength(LIMIT);
		const refused = responses.filter((r) => r.status !== 201);
		expect(refused).toHaveLength(30 - LIMIT);
		for (const response of refused) {
			expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(59 * 60);
			await expectOAuthError(response, 429, 'rate_limited');
		}
		// Still refused afterwards: waiting a moment does not help.
		await expectOAuthError(await register(attacker), 429, 'rate_limited');
	});

	it('another address can still register', async () => {
		const attacker = freshAddress();
		await Promise.all(Array.from({ length: LIMIT + 3 }, () => register(attacker)));
		expect((await register(freshAddress())).status).toBe(201);
	});
});

describe('sign-up flood (finding 6)', () => {
	it(`30 parallel JSON sign-ups from one address: ${LIMIT} are accepted (a link is mailed), the rest get 429 with Retry-After`, async () => {
		const attacker = freshAddress();
		const responses = await Promise.all(Array.from({ length: 30 }, (_, i) => signUpJSON(attacker, i)));
		expect(responses.filter((r) => r.status === 202)).toHaveLength(LIMIT);
		const refused = responses.filter((r) => r.status !== 202);
		expect(refused).toHaveLength(30 - LIMIT);
		for (const response of refused) {
			expect(response.status).toBe(429);
			expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(59 * 60);
			expect(response.headers.get('set-cookie')).toBeNull();
			expect(await response.json()).toMatchObject({ error: 'rate_limited' });
		}
		expect((await signUpJSON(freshAddress(), 99)).status).toBe(202);
	});

	it('the sign-up page counts too, and says when to try again', async () => {
		const attacker = freshAddress();
		const submit = (i: number) =>
			fetch(`${provider}/auth/signup`, {
				method: 'POST',
				headers: { 'content-type': 'application/x-www-form-urlencoded', origin: provider, 'sec-fetch-site': 'same-origin', [ADDRESS_HEADER]: attacker },
				body: new URLSearchParams({
					name: 'Flood',
					email: `page-flood-${i}-${Date.now().toString(36)}@example.com`,
					password: 'a long and unguessable passphrase'
				}),
				redirect: 'manual'
			});
		for (let i = 0; i < LIMIT; i++) expect((await submit(i)).status).toBe(303);
		const refused = await submit(LIMIT);
		expect(refused.status).toBe(429);
		expect(await refused.text()).toMatch(/Too many sign-ups from your network\. Try again in (60|59) minutes\./);
	});
});
