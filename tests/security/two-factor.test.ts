// Two-step verification from the attacker's side, against the production build: someone who
// has the password (phished, reused, guessed) but not the phone gets no session, by the web
// form or the JSON endpoint; a code seen over a shoulder works once; six-digit codes cannot be
// brute-forced; the half-finished sign-in is bound to the browser that started it and
// expires; a recovery code works once; the key is never stored in the clear; and a session
// without a recent sign-in cannot turn two-step verification on or off. A step-up that an
// application asks for is logged like a sign-in, failed or not.
//
// Codes come from @oslojs/otp with the key the set-up page shows, as an authenticator app would.
// Own server: ports 4610-4612 (+ TEST_PORT_OFFSET, +100 in the postgres project).
import { decodeBase32 } from '@oslojs/encoding';
import { generateHOTP } from '@oslojs/otp';
import { beforeAll, describe, expect, it } from 'vitest';
import { readMail } from '../support/mail-sink';
import { decodeJwt } from 'jose';
import {
	authorizeURL,
	confirmSignUpLink,
	cookieHeader,
	DASHBOARD_CREDENTIALS,
	dashboardRequest,
	get,
	postForm,
	postJSON,
	servers,
	setCookie,
	signUp,
	tokenRequest,
	uniqueEmail
} from '../support/http';
import { useProductionServer } from '../support/provider-fixture';

const { provider, driver, mailDir } = servers();
const BROWSER = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
const CODE_LIMIT = 5;
const EXPIRED = '/auth/login?notice=two-factor-expired';

const currentStep = () => Math.floor(Date.now() / 1000 / 30);
/** The code an app shows `offset` time steps from now (the server accepts -1, 0 and +1). */
const codeAt = (key: Uint8Array, offset: number) => generateHOTP(key, BigInt(currentStep() + offset), 6);
/** Waits while the current 30-second step ends within `marginMs`, so a code computed now is checked in the same step. */
async function awayFromStepBoundary(marginMs = 4000): Promise<void> {
	const left = 30_000 - (Date.now() % 30_000);
	if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 200));
}
const wrongCode = (key: Uint8Array, i: number) => {
	const right = new Set([-1, 0, 1].map((o) => codeAt(key, o)));
	let code = String(100000 + i * 7919).slice(0, 6);
	while (right.has(code)) code = String((Number(code) + 1) % 1000000).padStart(6, '0');
	return code;
};

interface Enrolled {
	email: string;
	password: string;
	cookie: string;
	key: Uint8Array;
	manualKey: string;
	recoveryCodes: string[];
}

/** Turns two-step verification on through the account pages, reading the key as a person types it. */
async function enrol(base: string, account: { email: string; password: string; cookie: string }): Promise<Enrolled> {
	const post = (action: string, body: Record<string, string>) =>
		postForm(`${base}/account/two-factor?/${action}`, body, { cookie: account.cookie, origin: base, ...BROWSER });
	expect((await post('start', {})).status).toBe(303);
	const page = await (await get(`${base}/account/two-factor`, { cookie: account.cookie, ...BROWSER })).text();
	const manualKey = page.match(/data-testid="manual-key"[^>]*>([A-Z2-7 ]+)</)?.[1];
	if (!manualKey) throw new Error(`no setup key on the page: ${page.slice(0, 500)}`);
	const key = decodeBase32(manualKey.replace(/ /g, ''));
	await awayFromStepBoundary();
	// The previous step's code: the next two steps stay free for the sign-ins of the test.
	const confirmed = await post('confirm', { code: codeAt(key, -1) });
	expect(confirmed.status).toBe(200);
	const recoveryCodes = [...new Set((await confirmed.text()).match(/\b[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}\b/g))];
	expect(recoveryCodes).toHaveLength(10);
	return { ...account, key, manualKey, recoveryCodes };
}

/** The password step of the web form: a pending sign-in (its cookie), never a session. */
async function passwordStep(base: string, email: string, password: string): Promise<string> {
	const response = await postForm(`${base}/auth/login`, { email, password }, { origin: base, ...BROWSER });
	expect(response.status).toBe(303);
	expect(response.headers.get('location')).toBe('/auth/two-factor');
	expect(setCookie(response, 'op_session')).toBeUndefined();
	return cookieHeader(response, 'op_second_factor');
}

function codeStep(base: string, cookie: string, code: string, kind: 'code' | 'recovery' = 'code'): Promise<Response> {
	return postForm(`${base}/auth/two-factor`, { code, kind }, { cookie, origin: base, ...BROWSER });
}

const sessionOf = async (base: string, cookie: string) =>
	(await (await get(`${base}/api/auth/session`, { cookie })).json()) as { user: { email: string } } | null;

describe('a stolen password alone', () => {
	it('gets no session from the JSON endpoint: 401 second_factor_required, no cookie; a wrong code is 401 invalid_code', async () => {
		const victim = await enrol(provider, await signUp('Stolen Password'));
		const bare = await postJSON(`${provider}/api/auth/sign-in/email`, { email: victim.email, password: victim.password });
		expect(bare.status).toBe(401);
		expect(await bare.json()).toMatchObject({ error: 'second_factor_required' });
		expect(bare.headers.get('set-cookie')).toBeNull();
		const guessed = await postJSON(`${provider}/api/auth/sign-in/email`, { email: victim.email, password: victim.password, code: wrongCode(victim.key, 1) });
		expect(guessed.status).toBe(401);
		expect(await guessed.json()).toMatchObject({ error: 'invalid_code' });
		expect(guessed.headers.get('set-cookie')).toBeNull();
		await awayFromStepBoundary();
		const owner = await postJSON(`${provider}/api/auth/sign-in/email`, { email: victim.email, password: victim.password, code: codeAt(victim.key, 0) });
		expect(owner.status).toBe(200);
		expect(await sessionOf(provider, cookieHeader(owner, 'op_session'))).toMatchObject({ user: { email: victim.email } });
	});

	it('gets no session from the web form: the pending sign-in opens no account page and is no session', async () => {
		const victim = await enrol(provider, await signUp('Stolen Password Web'));
		const pending = await passwordStep(provider, victim.email, victim.password);
		const account = await get(`${provider}/account`, { cookie: pending, ...BROWSER });
		expect(account.status).toBe(303);
		expect(account.headers.get('location')).toMatch(/^\/auth\/login/);
		expect(await sessionOf(provider, pending)).toBeNull();
		const page = await get(`${provider}/auth/two-factor`, { cookie: pending, ...BROWSER });
		expect(page.status).toBe(200);
		expect(await page.text()).toContain('Enter the code from your authenticator app');
	});

	it('a password reset (through the mailbox) does not remove the second step', async () => {
		const victim = await enrol(provider, await signUp('Reset Victim'));
		expect((await postForm(`${provider}/auth/forgot-password`, { email: victim.email }, { origin: provider, ...BROWSER })).status).toBe(303);
		const mail = await readMail(mailDir, victim.email, { subject: /^Reset your SSO Provider password$/ });
		const token = new URL(mail.links[0]).searchParams.get('token')!;
		const newPassword = 'a brand new passphrase after the reset';
		const reset = await postForm(
			`${provider}/auth/reset-password?token=${encodeURIComponent(token)}`,
			{ token, password: newPassword },
			{ origin: provider, ...BROWSER }
		);
		expect(reset.status).toBe(303);
		expect(setCookie(reset, 'op_session')?.value ?? '').toBe('');
		await passwordStep(provider, victim.email, newPassword);
		const json = await postJSON(`${provider}/api/auth/sign-in/email`, { email: victim.email, password: newPassword });
		expect(await json.json()).toMatchObject({ error: 'second_factor_required' });
	});
});

describe('a code seen over a shoulder', () => {
	it('works once: after the owner used it, the same code in another browser is refused', async () => {
		const victim = await enrol(provider, await signUp('Shoulder Surfed'));
		await awayFromStepBoundary();
		const code = codeAt(victim.key, 0);
		const owner = await codeStep(provider, await passwordStep(provider, victim.email, victim.password), code);
		expect(owner.status).toBe(303);
		expect(setCookie(owner, 'op_session')).toBeDefined();
		const attacker = await codeStep(provider, await passwordStep(provider, victim.email, victim.password), code);
		expect(attacker.status).toBe(400);
		expect(setCookie(attacker, 'op_session')).toBeUndefined();
		expect(await attacker.text()).toContain('That code is not right, or was already used.');
	});

	it('sent by two browsers at the same moment, only one gets a session (web and JSON)', async () => {
		const victim = await enrol(provider, await signUp('Parallel Code'));
		const pendings = await Promise.all(Array.from({ length: 4 }, () => passwordStep(provider, victim.email, victim.password)));
		await awayFromStepBoundary();
		const code = codeAt(victim.key, 0);
		const web = await Promise.all(pendings.map((p) => codeStep(provider, p, code)));
		expect(web.filter((r) => setCookie(r, 'op_session')?.value)).toHaveLength(1);
		const next = codeAt(victim.key, 1);
		const json = await Promise.all(
			Array.from({ length: 4 }, () => postJSON(`${provider}/api/auth/sign-in/email`, { email: victim.email, password: victim.password, code: next }))
		);
		expect(json.filter((r) => r.status === 200)).toHaveLength(1);
	});
});

describe('guessing codes', () => {
	it(`60 parallel guesses in one pending sign-in: at most ${CODE_LIMIT} are checked, and then even the right code is held back`, async () => {
		const victim = await enrol(provider, await signUp('Code Guessing'));
		const pending = await passwordStep(provider, victim.email, victim.password);
		const guesses = await Promise.all(Array.from({ length: 60 }, (_, i) => codeStep(provider, pending, wrongCode(victim.key, i))));
		const statuses = guesses.map((r) => r.status);
		expect(statuses.filter((s) => s !== 400 && s !== 429)).toEqual([]);
		expect(statuses.filter((s) => s === 400).length).toBeLessThanOrEqual(CODE_LIMIT);
		expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(60 - CODE_LIMIT);
		const held = await codeStep(provider, pending, codeAt(victim.key, 0));
		expect(held.status).toBe(429);
		expect(await held.text()).toContain('Too many wrong codes.');
		expect(setCookie(held, 'op_session')).toBeUndefined();
		// New pending sign-ins share the account's count: starting over does not reset it.
		const again = await codeStep(provider, await passwordStep(provider, victim.email, victim.password), codeAt(victim.key, 0));
		expect(again.status).toBe(429);
		const json = await postJSON(`${provider}/api/auth/sign-in/email`, { email: victim.email, password: victim.password, code: codeAt(victim.key, 0) });
		expect(json.status).toBe(429);
	});
});

describe('the pending sign-in', () => {
	it('cannot be finished from another browser, nor with a forged cookie', async () => {
		const victim = await enrol(provider, await signUp('Other Browser'));
		await passwordStep(provider, victim.email, victim.password);
		await awayFromStepBoundary();
		const elsewhere = await codeStep(provider, '', codeAt(victim.key, 0));
		expect(elsewhere.status).toBe(303);
		expect(elsewhere.headers.get('location')).toBe(EXPIRED);
		expect(setCookie(elsewhere, 'op_session')).toBeUndefined();
		const forged = await codeStep(provider, 'op_second_factor=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', codeAt(victim.key, 0));
		expect(forged.headers.get('location')).toBe(EXPIRED);
		expect(setCookie(forged, 'op_session')).toBeUndefined();
	});

	it('is used up by its sign-in: the same cookie cannot make a second session with the next code', async () => {
		const victim = await enrol(provider, await signUp('Used Up'));
		const pending = await passwordStep(provider, victim.email, victim.password);
		await awayFromStepBoundary();
		expect(setCookie(await codeStep(provider, pending, codeAt(victim.key, 0)), 'op_session')).toBeDefined();
		const replay = await codeStep(provider, pending, codeAt(victim.key, 1));
		expect(replay.headers.get('location')).toBe(EXPIRED);
		expect(setCookie(replay, 'op_session')).toBeUndefined();
	});
});

describe('recovery codes', () => {
	it('each signs in once, typed in any case; used again it is refused', async () => {
		const victim = await enrol(provider, await signUp('Lost Phone'));
		const [code] = victim.recoveryCodes;
		const first = await codeStep(provider, await passwordStep(provider, victim.email, victim.password), code.toUpperCase(), 'recovery');
		expect(first.status).toBe(303);
		expect(await sessionOf(provider, cookieHeader(first, 'op_session'))).toMatchObject({ user: { email: victim.email } });
		const second = await codeStep(provider, await passwordStep(provider, victim.email, victim.password), code, 'recovery');
		expect(second.status).toBe(400);
		expect(await second.text()).toContain('That recovery code is not right, or was already used.');
		const json = await postJSON(`${provider}/api/auth/sign-in/email`, { email: victim.email, password: victim.password, code: victim.recoveryCodes[1] });
		expect(json.status).toBe(200);
	});
});

const MULTI_FACTOR = 'http://schemas.openid.net/pape/policies/2007/06/multi-factor';
const SINGLE_FACTOR = 'http://schemas.openid.net/pape/policies/2007/06/none';

/** Redeems the code of an authorization response at the token endpoint; returns the ID token's claims. */
async function idTokenClaims(location: string, refresh = false) {
	const code = new URL(location).searchParams.get('code');
	if (!code) throw new Error(`no code in ${location}`);
	const tokens = (await (
		await tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: new URL(location).origin + '/auth/callback', ...DASHBOARD_CREDENTIALS })
	).json()) as { id_token: string; refresh_token?: string };
	const claims = decodeJwt(tokens.id_token);
	if (!refresh || !tokens.refresh_token) return { claims };
	const refreshed = (await (await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, ...DASHBOARD_CREDENTIALS })).json()) as {
		id_token: string;
	};
	return { claims, refreshed: decodeJwt(refreshed.id_token) };
}

describe('acr_values: a client asks for two-step verification (OIDC Core §3.1.2.1)', () => {
	it(
		'a password-only session of a user with an authenticator is asked for the code, ' + 'then the ID token says multi-factor (and keeps it on refresh)',
		async () => {
			// Signed in before turning it on: the session is `pwd` only.
			const user = await enrol(provider, await signUp('Step Up'));
			const request = dashboardRequest({ acr_values: MULTI_FACTOR });
			const asked = await get(authorizeURL(request), { cookie: user.cookie, ...BROWSER });
			expect(asked.status).toBe(302);
			const stepUp = new URL(asked.headers.get('location')!, provider);
			expect(stepUp.pathname).toBe('/auth/two-factor');
			const page = await get(stepUp.href, { cookie: user.cookie, ...BROWSER });
			expect(await page.text()).toContain('Internal Dashboard asks for two-step verification.');

			// prompt=none cannot show that page: login_required, back to the client.
			const silent = await get(authorizeURL({ ...request, prompt: 'none' }), { cookie: user.cookie });
			const error = new URL(silent.headers.get('location')!);
			expect(error.searchParams.get('error')).toBe('login_required');

			await awayFromStepBoundary();
			const wrong = await postForm(
				stepUp.href,
				{ code: wrongCode(user.key, 3), kind: 'code', return_to: stepUp.searchParams.get('return_to')! },
				{ cookie: user.cookie, origin: provider, ...BROWSER }
			);
			expect(wrong.status).toBe(400);
			const stepped = await postForm(
				stepUp.href,
				{ code: codeAt(user.key, 0), kind: 'code', return_to: stepUp.searchParams.get('return_to')! },
				{ cookie: user.cookie, origin: provider, ...BROWSER }
			);
			expect(stepped.status).toBe(303);
			const back = stepped.headers.get('location')!;
			expect(back).toMatch(/^\/api\/auth\/authorize\?/);
			const answered = await get(`${provider}${back}`, { cookie: user.cookie, ...BROWSER });
			expect(answered.status).toBe(302);
			const { claims, refreshed } = await idTokenClaims(answered.headers.get('location')!, true);
			expect(claims.acr).toBe(MULTI_FACTOR);
			expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
			expect(refreshed?.acr).toBe(MULTI_FACTOR);

			// The owner's security log says both: the wrong code, then the step-up, like sign-ins.
			const log = await (await get(`${provider}/account/security`, { cookie: user.cookie, ...BROWSER })).text();
			const lines = [...log.matchAll(/<li class="security-event[^"]*">([\s\S]*?)<\/li>/g)].map((m) =>
				m[1]
					.replace(/<[^>]+>/g, ' ')
					.replace(/\s+/g, ' ')
					.trim()
			);
			expect(lines[0]).toMatch(/^Confirmed it was you with a one-time code, as an application asked This session When /);
			expect(lines[1]).toMatch(/^Warning: Failed sign-in: wrong two-step verification code /);
		}
	);

	it('a user who cannot meet it gets the code anyway, and the ID token tells the truth; discovery lists the values', async () => {
		const user = await signUp('No Second Factor');
		const answered = await get(authorizeURL(dashboardRequest({ acr_values: MULTI_FACTOR })), { cookie: user.cookie });
		expect(answered.status).toBe(302);
		const { claims } = await idTokenClaims(answered.headers.get('location')!);
		expect(claims.acr).toBe(SINGLE_FACTOR);
		expect(claims.amr).toEqual(['pwd']);
		const discovery = (await (await get(`${provider}/.well-known/openid-configuration`)).json()) as {
			acr_values_supported: string[];
			claims_supported: string[];
		};
		expect(discovery.acr_values_supported).toContain(MULTI_FACTOR);
		expect(discovery.claims_supported).toEqual(expect.arrayContaining(['acr', 'amr']));
	});
});

describe('a server with short windows (TWO_FACTOR_PENDING_SECONDS=2, REAUTHENTICATE_AFTER_SECONDS=3)', () => {
	const server = useProductionServer({ port: 4610, serve: 'provider', env: { TWO_FACTOR_PENDING_SECONDS: '2', REAUTHENTICATE_AFTER_SECONDS: '3' } });
	let base: string;
	beforeAll(() => {
		base = server.urls.provider;
	});

	async function freshAccount() {
		// The sign-in below must still be recent (3 s) when enrol() confirms the code: wait for a
		// step boundary here, not between the two (enrol's own wait is then a no-op).
		await awayFromStepBoundary(12_000);
		const email = uniqueEmail('totp-short');
		const password = 'Short-Window-Passphrase-7';
		expect((await postJSON(`${base}/api/auth/sign-up/email`, { email, password, name: 'Short Window' })).status).toBe(202);
		return { email, password, cookie: await confirmSignUpLink(base, server.mail!.dir, email) };
	}
	const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

	it('a pending sign-in expires: the right code after the window gets no session', async () => {
		const victim = await enrol(base, await freshAccount());
		const pending = await passwordStep(base, victim.email, victim.password);
		await wait(2500);
		await awayFromStepBoundary();
		const late = await codeStep(base, pending, codeAt(victim.key, 0));
		expect(late.status).toBe(303);
		expect(late.headers.get('location')).toBe(EXPIRED);
		expect(setCookie(late, 'op_session')).toBeUndefined();
	});

	it('a session without a recent sign-in cannot turn it on, off, or make new recovery codes', async () => {
		const reauth = `/auth/login?prompt=login&return_to=${encodeURIComponent('/account/two-factor')}&notice=reauthenticate`;
		const on = await enrol(base, await freshAccount());
		const off = await freshAccount();
		await wait(3500);
		for (const [account, action] of [
			[on, 'disable'],
			[on, 'regenerate'],
			[off, 'start']
		] as const) {
			const response = await postForm(`${base}/account/two-factor?/${action}`, {}, { cookie: account.cookie, origin: base, ...BROWSER });
			expect(response.status).toBe(303);
			expect(response.headers.get('location')).toBe(reauth);
		}
		expect((await get(`${base}/account/two-factor`, { cookie: off.cookie, ...BROWSER })).headers.get('location')).toBe(reauth);
		// Nothing changed: the code is still asked for, the old recovery codes still work.
		const json = await postJSON(`${base}/api/auth/sign-in/email`, { email: on.email, password: on.password, code: on.recoveryCodes[0] });
		expect(json.status).toBe(200);
		expect(await (await postJSON(`${base}/api/auth/sign-in/email`, { email: on.email, password: on.password })).json()).toMatchObject({
			error: 'second_factor_required'
		});
		expect(await (await postJSON(`${base}/api/auth/sign-in/email`, { email: off.email, password: off.password })).json()).toMatchObject({
			user: { email: off.email }
		});
	});

	it.runIf(driver === 'postgres')('the key is stored encrypted: the database holds neither its base32, hex nor base64 form', async () => {
		const enrolled = await enrol(base, await freshAccount());
		const { default: postgres } = await import('postgres');
		const sql = postgres(server.database.url!, { max: 1, onnotice: () => {} });
		try {
			const rows = await sql`select t.* from totp_credential t join "user" u on u.id = t.user_id where u.email = ${enrolled.email}`;
			expect(rows).toHaveLength(1);
			const stored = JSON.stringify(rows[0]);
			const forms = [
				enrolled.manualKey.replace(/ /g, ''),
				Buffer.from(enrolled.key).toString('hex'),
				Buffer.from(enrolled.key).toString('base64'),
				Buffer.from(enrolled.key).toString('base64url')
			];
			for (const form of forms) expect(stored.toLowerCase()).not.toContain(form.toLowerCase());
			expect(String(rows[0].encrypted_key).split('.')).toHaveLength(5);
			const codes = await sql`select r.code_hash from recovery_code r join "user" u on u.id = r.user_id where u.email = ${enrolled.email}`;
			expect(codes).toHaveLength(10);
			for (const code of enrolled.recoveryCodes) expect(JSON.stringify(codes)).not.toContain(code.replace(/-/g, ''));
		} finally {
			await sql.end();
		}
	});
});
