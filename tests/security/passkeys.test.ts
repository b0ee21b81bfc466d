// Passkeys from the attacker's side, against the production build: another site cannot drive
// the passkey endpoints with the victim's cookies; a captured assertion cannot be replayed; an
// assertion made on a phishing origin signs nobody in; a stolen, stale session cannot add its
// own passkey or remove the owner's; nobody can fill the challenge table; and a refused
// passkey shows up in its owner's security log with the attacker's address.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TestAuthenticator } from '../support/authenticator';
import { confirmSignUpLink, cookieHeader, DEMO, get, postForm, postJSON, servers, setCookie, signUp, uniqueEmail } from '../support/http';
import { useProductionServer } from '../support/provider-fixture';

const { provider, site1 } = servers();
const BROWSER = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

/** Registers a software passkey for the signed-in `cookie` through the provider's endpoints, as the console's script does. */
async function registerPasskey(base: string, cookie: string): Promise<TestAuthenticator> {
	const options = await (await postJSON(`${base}/api/auth/passkey/registration-options`, {}, { cookie, origin: base })).json();
	const authenticator = new TestAuthenticator({ id: new URL(base).hostname, origin: base });
	const response = authenticator.register(options);
	const added = await postForm(
		`${base}/account/passkeys?/add`,
		{ name: 'Victim laptop', client_data_json: b64(response.clientDataJSON), attestation_object: b64(response.attestationObject) },
		{ cookie, origin: base, ...BROWSER }
	);
	expect(added.headers.get('location')).toBe('/account/passkeys?notice=passkey-added');
	return authenticator;
}

const signInOptions = async (base: string) => (await postJSON(`${base}/api/auth/passkey/options`, {}, { origin: base })).json();
const signInWith = (base: string, assertion: unknown, headers: Record<string, string> = { origin: base }) =>
	postJSON(`${base}/api/auth/passkey/sign-in`, assertion, headers);

describe('passkey endpoints and cross-site requests', () => {
	it("another site cannot ask for registration options with the victim's cookie, nor post an assertion or a registration", async () => {
		const victim = await signUp('Passkey Victim');
		const options = await postJSON(
			`${provider}/api/auth/passkey/registration-options`,
			{},
			{ cookie: victim.cookie, origin: site1, 'sec-fetch-site': 'same-site' }
		);
		expect(options.status).toBe(403);
		expect(await options.text()).not.toContain(victim.email);
		expect((await postJSON(`${provider}/api/auth/passkey/options`, {}, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' })).status).toBe(403);
		expect((await signInWith(provider, {}, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' })).status).toBe(403);
		const form = await postForm(
			`${provider}/account/passkeys?/add`,
			{ name: 'Attacker key', client_data_json: 'e30', attestation_object: 'oA' },
			{ cookie: victim.cookie, origin: site1, ...BROWSER }
		);
		expect(form.status).toBe(403);
	});

	it('a sign-in body that is not JSON (what a cross-site form can send) is refused without a session', async () => {
		const response = await fetch(`${provider}/api/auth/passkey/sign-in`, {
			method: 'POST',
			headers: { 'content-type': 'text/plain' },
			body: '{"id":"x"}',
			redirect: 'manual'
		});
		expect(response.status).toBe(400);
		expect(setCookie(response, 'op_session')).toBeUndefined();
	});

	it('registration options need a session', async () => {
		const response = await postJSON(`${provider}/api/auth/passkey/registration-options`, {}, { origin: provider });
		expect(response.status).toBe(401);
	});
});

describe('passkey assertions from the attacker', () => {
	it('a captured assertion cannot be replayed (its first use signs in)', async () => {
		const victim = await signUp('Passkey Replay Victim');
		const authenticator = await registerPasskey(provider, victim.cookie);
		const assertion = authenticator.assertJSON(await signInOptions(provider));
		const first = await signInWith(provider, { ...assertion, return_to: '/account' });
		expect(first.status).toBe(200);
		expect(await first.json()).toEqual({ location: '/account' });
		const session = cookieHeader(first, 'op_session');
		const me = await (await get(`${provider}/api/auth/session`, { cookie: session })).json();
		expect(me.user.email).toBe(victim.email);

		const replay = await signInWith(provider, assertion);
		expect(replay.status).toBe(400);
		expect(await replay.json()).toMatchObject({ error: 'passkey_refused', reason: 'challenge' });
		expect(setCookie(replay, 'op_session')).toBeUndefined();
	});

	it('an assertion made on a phishing origin (relayed by the attacker) signs nobody in', async () => {
		const victim = await signUp('Passkey Phishing Victim');
		const authenticator = await registerPasskey(provider, victim.cookie);
		const relayed = authenticator.assertJSON(await signInOptions(provider), { origin: 'https://sso-provider.evil.example' });
		const response = await signInWith(provider, relayed);
		expect(response.status).toBe(400);
		expect(await response.json()).toMatchObject({ reason: 'origin' });
		expect(setCookie(response, 'op_session')).toBeUndefined();
	});

	it('the return_to of a passkey sign-in cannot leave the provider', async () => {
		const victim = await signUp('Passkey Redirect Victim');
		const authenticator = await registerPasskey(provider, victim.cookie);
		const response = await signInWith(provider, { ...authenticator.assertJSON(await signInOptions(provider)), return_to: '//evil.example/steal' });
		expect(await response.json()).toEqual({ location: '/account' });
	});

	it("the victim's passkey presented with the attacker's user handle is refused", async () => {
		const victim = await signUp('Passkey Handle Victim');
		const attacker = await signUp('Passkey Handle Attacker');
		const victimKey = await registerPasskey(provider, victim.cookie);
		const attackerKey = await registerPasskey(provider, attacker.cookie);
		const response = await signInWith(provider, victimKey.assertJSON(await signInOptions(provider), { userHandle: attackerKey.userHandle }));
		expect(await response.json()).toMatchObject({ reason: 'user-handle' });
	});
});

describe('a stale session (REAUTHENTICATE_AFTER_SECONDS=3)', () => {
	const server = useProductionServer({ port: 4620, serve: 'provider', env: { REAUTHENTICATE_AFTER_SECONDS: '3' } });

	it("cannot add its own passkey or remove the owner's; it is sent to sign in again", async () => {
		const base = server.urls.provider;
		const signedIn = await postJSON(`${base}/api/auth/sign-in/email`, { email: DEMO.email, password: DEMO.password });
		const fresh = cookieHeader(signedIn, 'op_session');
		const owners = await registerPasskey(base, fresh);
		await new Promise((resolve) => setTimeout(resolve, 3500));
		const stale = fresh;
		const reauth = '/auth/login?prompt=login&return_to=%2Faccount%2Fpasskeys&notice=reauthenticate-passkeys';

		const options = await postJSON(`${base}/api/auth/passkey/registration-options`, {}, { cookie: stale, origin: base });
		expect(options.status).toBe(403);
		expect(await options.json()).toMatchObject({ error: 'reauthenticate', location: reauth });
		const add = await postForm(
			`${base}/account/passkeys?/add`,
			{ name: 'Attacker key', client_data_json: 'e30', attestation_object: 'oA' },
			{ cookie: stale, origin: base, ...BROWSER }
		);
		expect(add.headers.get('location')).toBe(reauth);
		const remove = await postForm(`${base}/account/passkeys?/remove`, { passkey_id: owners.id }, { cookie: stale, origin: base, ...BROWSER });
		expect(remove.headers.get('location')).toBe(reauth);
		// The owner's passkey still signs in.
		const options2 = await (await postJSON(`${base}/api/auth/passkey/options`, {}, { origin: base })).json();
		expect((await signInWith(base, owners.assertJSON(options2))).status).toBe(200);
	}, 60_000);
});

describe('passkey sign-in limits and the owner’s log (RATE_LIMIT_PASSKEY_OPTIONS_PER_IP=3/15m, ADDRESS_HEADER)', () => {
	const ADDRESS_HEADER = 'x-test-client-ip';
	const OPTIONS_LIMIT = 3;
	const server = useProductionServer({
		port: 4640,
		serve: 'provider',
		env: { ADDRESS_HEADER, RATE_LIMIT_PASSKEY_OPTIONS_PER_IP: `${OPTIONS_LIMIT}/15m` }
	});
	const from = (address: string) => ({ [ADDRESS_HEADER]: address });
	const optionsFrom = (base: string, address: string) => postJSON(`${base}/api/auth/passkey/options`, {}, { origin: base, ...from(address) });

	it('sign-in challenges are counted per address, atomically: a parallel burst gets the limit, then 429 with Retry-After', async () => {
		const base = server.urls.provider;
		const burst = await Promise.all(Array.from({ length: 12 }, () => optionsFrom(base, '198.51.100.20')));
		const admitted = burst.filter((r) => r.status === 200);
		expect(admitted).toHaveLength(OPTIONS_LIMIT);
		for (const response of admitted) expect((await response.json()).challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
		const refused = burst.filter((r) => r.status === 429);
		expect(refused).toHaveLength(12 - OPTIONS_LIMIT);
		expect(Number(refused[0].headers.get('retry-after'))).toBeGreaterThan(0);
		expect(refused[0].headers.get('cache-control')).toContain('no-store');
		expect(await refused[0].json()).toEqual({ error: 'rate_limited', message: 'Too many passkey sign-ins from your network. Try again later.' });
		// Another address is not held back by this one.
		expect((await optionsFrom(base, '198.51.100.21')).status).toBe(200);
	});

	it("a refused assertion with someone's passkey goes into THEIR security log with the attacker's address; an unknown credential into nobody's", async () => {
		const base = server.urls.provider;
		const email = uniqueEmail('passkey-log');
		const signedUp = await postJSON(
			`${base}/api/auth/sign-up/email`,
			{ email, password: 'a long passphrase for the log test', name: 'Log Victim' },
			from('192.0.2.30')
		);
		expect(signedUp.status).toBe(202);
		const cookie = await confirmSignUpLink(base, server.mail!.dir, email);
		const victimKey = await registerPasskey(base, cookie);
		const attacker = '203.0.113.45';

		// Relayed from a phishing page, and with a forged signature: both refused, both logged.
		const relayed = victimKey.assertJSON(await (await optionsFrom(base, attacker)).json(), { origin: 'https://sso-provider.evil.example' });
		const phished = await signInWith(base, relayed, { origin: base, ...from(attacker) });
		expect(await phished.json()).toMatchObject({ reason: 'origin' });
		const attackersKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
		const forged = victimKey.assertJSON(await (await optionsFrom(base, attacker)).json(), { signWith: attackersKey });
		expect(await (await signInWith(base, forged, { origin: base, ...from(attacker) })).json()).toMatchObject({ reason: 'signature' });
		const stranger = new TestAuthenticator({ id: new URL(base).hostname, origin: base });
		const unknownAssertion = stranger.assertJSON(await (await optionsFrom(base, attacker)).json(), { userHandle: victimKey.userHandle });
		const unknown = await signInWith(base, unknownAssertion, { origin: base, ...from(attacker) });
		expect(await unknown.json()).toMatchObject({ reason: 'unknown-credential' });

		const page = await (await get(`${base}/account/security`, { ...BROWSER, cookie })).text();
		const lines = [...page.matchAll(/<li class="security-event[^"]*">([\s\S]*?)<\/li>/g)].map((m) =>
			m[1]
				.replace(/<[^>]+>/g, ' ')
				.replace(/\s+/g, ' ')
				.trim()
		);
		const refusals = lines.filter((line) => line.startsWith('Warning: Failed sign-in: the passkey was not accepted'));
		expect(refusals).toHaveLength(2);
		for (const line of refusals) expect(line).toContain(`Address ${attacker}`);
	});
});
