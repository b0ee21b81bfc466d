// "Forgot password?" from the attacker's side, against the production build: the answer never
// tells who has an account, the mailed link is single-use, short-lived and good for nothing
// else, a reset throws out whoever held a session (at the provider and, by back-channel
// logout, at the relying parties), and the provider cannot be used to flood a mailbox.
import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { allMail, mailTo, readMail, type ReceivedMail } from '../support/mail-sink';
import { cookieHeader, get, postForm, postJSON, servers, signUp } from '../support/http';
import { useProductionServer } from '../support/provider-fixture';
import { hashSecret } from '../../src/lib/server/secrets';
import { requestPasswordReset, resetPassword, RESET_LINK_TTL_SECONDS } from '../../src/lib/server/auth/password-reset';
import { createTestUser } from '../support/fixtures';
import { useTestDatabase } from '../support/database';
import { linksOf, memoryMailer } from '../support/memory-mailer';

const { provider, site1, mailDir } = servers();
const BROWSER = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
const NEW_PASSWORD = 'a brand new passphrase for this test';
/** Mail is sent in the background: what has not arrived after this long is taken as not sent. */
const GRACE_MS = 1500;

function askForReset(base: string, email: string, headers: Record<string, string> = {}): Promise<Response> {
	return postForm(`${base}/auth/forgot-password`, { email }, { origin: base, ...BROWSER, ...headers });
}

async function resetMail(dir: string, email: string, seen: ReceivedMail[] = []): Promise<{ mail: ReceivedMail; link: URL; token: string }> {
	const mail = await readMail(dir, email, { subject: /^Reset your SSO Provider password$/, seen });
	const link = new URL(mail.links[0]);
	return { mail, link, token: link.searchParams.get('token')! };
}

function submitNewPassword(base: string, token: string, password: string, headers: Record<string, string> = {}): Promise<Response> {
	// As the browser sends it: the form posts to the page's own URL, which carries the token.
	return postForm(`${base}/auth/reset-password?token=${encodeURIComponent(token)}`, { token, password }, { origin: base, ...BROWSER, ...headers });
}

async function signInJSON(base: string, email: string, password: string, headers: Record<string, string> = {}): Promise<Response> {
	return postJSON(`${base}/api/auth/sign-in/email`, { email, password }, headers);
}

/** Signs in to the dashboard through the provider as a browser would; returns the site's session cookie. */
async function signInToSite1(providerCookie: string): Promise<string> {
	const start = await postForm(`${site1}/auth/sign-in`, {}, BROWSER);
	expect(start.status).toBe(303);
	const answer = await get(start.headers.get('location')!, { cookie: providerCookie, ...BROWSER });
	expect(answer.status).toBe(302);
	const finished = await get(answer.headers.get('location')!, { cookie: cookieHeader(start, 'rp_site1_signin'), ...BROWSER });
	expect(finished.status).toBe(303);
	return cookieHeader(finished, 'rp_site1_session');
}

describe('asking for a reset link', () => {
	it('answers an existing and an unknown address the same way; only the account gets a mail', async () => {
		const user = await signUp('Reset Probe');
		const unknown = `nobody-${Date.now().toString(36)}@example.com`;
		const [existing, missing] = [await askForReset(provider, user.email), await askForReset(provider, unknown)];
		expect([existing.status, missing.status]).toEqual([303, 303]);
		const location = (r: Response, email: string) => r.headers.get('location')!.replace(encodeURIComponent(email), 'EMAIL');
		expect(location(existing, user.email)).toBe(location(missing, unknown));
		const page = async (r: Response, email: string) => {
			const html = await (await get(new URL(r.headers.get('location')!, provider).href, BROWSER)).text();
			return html
				.match(/<main[\s\S]*<\/main>/)![0]
				.replaceAll(encodeURIComponent(email), 'EMAIL')
				.replaceAll(email, 'EMAIL');
		};
		expect(await page(existing, user.email)).toBe(await page(missing, unknown));
		expect(await page(missing, unknown)).toContain('If an account exists for <strong>EMAIL</strong>, we have sent it a link');

		await resetMail(mailDir, user.email);
		await new Promise((resolve) => setTimeout(resolve, GRACE_MS));
		expect(await mailTo(mailDir, unknown)).toEqual([]);
	});

	it('builds the link from the configured issuer, never from a Host header the attacker sends', async () => {
		const user = await signUp('Host Probe');
		const url = new URL(`${provider}/auth/forgot-password`);
		const status = await new Promise<number>((resolve, reject) => {
			const body = new URLSearchParams({ email: user.email }).toString();
			const req = httpRequest(
				{
					host: url.hostname,
					port: url.port,
					path: url.pathname,
					method: 'POST',
					headers: { host: 'evil.example', 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), ...BROWSER }
				},
				(res) => {
					res.resume();
					resolve(res.statusCode ?? 0);
				}
			);
			req.on('error', reject);
			req.end(body);
		});
		expect(status).toBe(303);
		const { link } = await resetMail(mailDir, user.email);
		expect(link.origin).toBe(provider);
	});
});

describe('using the link', () => {
	it('works once: the page asks for a new password, the first use sets it, a second use is refused', async () => {
		const user = await signUp('Single Use');
		await askForReset(provider, user.email);
		const { link, token } = await resetMail(mailDir, user.email);
		expect(link.pathname).toBe('/auth/reset-password');
		const form = await get(link.href, BROWSER);
		expect(form.status).toBe(200);
		expect(form.headers.get('cache-control')).toBe('no-store');
		expect(form.headers.get('referrer-policy')).toBe('same-origin');
		expect(await form.text()).toContain('Choose a new password');

		const first = await submitNewPassword(provider, token, NEW_PASSWORD);
		expect(first.status).toBe(303);
		expect(first.headers.get('location')).toBe(`/auth/login?${new URLSearchParams({ notice: 'password-changed', login_hint: user.email })}`);
		const login = await (await get(`${provider}${first.headers.get('location')}`, BROWSER)).text();
		expect(login).toContain('Your password has been changed. Sign in with your new password.');

		const again = await submitNewPassword(provider, token, 'yet another passphrase here');
		expect(again.status).toBe(400);
		expect(await again.text()).toContain('Reset link no longer works');
		expect((await get(link.href, BROWSER)).status).toBe(200);
		expect(await (await get(link.href, BROWSER)).text()).toContain('Ask for a new link');
		expect((await signInJSON(provider, user.email, NEW_PASSWORD)).status).toBe(200);
		expect((await signInJSON(provider, user.email, 'yet another passphrase here')).status).toBe(401);
	});

	it('parallel submissions of one link: exactly one sets its password', async () => {
		const user = await signUp('Parallel Use');
		await askForReset(provider, user.email);
		const { token } = await resetMail(mailDir, user.email);
		const passwords = Array.from({ length: 6 }, (_, i) => `${NEW_PASSWORD} number ${i}`);
		const responses = await Promise.all(passwords.map((p) => submitNewPassword(provider, token, p)));
		expect(responses.map((r) => r.status).sort()).toEqual([303, 400, 400, 400, 400, 400]);
		const winner = passwords[responses.findIndex((r) => r.status === 303)];
		expect((await signInJSON(provider, user.email, winner)).status).toBe(200);
		for (const other of passwords.filter((p) => p !== winner)) expect((await signInJSON(provider, user.email, other)).status).toBe(401);
	});

	it('a refused password is shown beside the field and the link still works', async () => {
		const user = await signUp('Weak Choice');
		await askForReset(provider, user.email);
		const { token } = await resetMail(mailDir, user.email);
		const weak = await submitNewPassword(provider, token, 'password1');
		expect(weak.status).toBe(400);
		const html = await weak.text();
		expect(html).toContain('id="password-error"');
		expect(html).toMatch(/one of the most common ones/);
		expect((await submitNewPassword(provider, token, NEW_PASSWORD)).status).toBe(303);
	});

	it('cannot be used for another purpose: a reset token does not confirm a change of address', async () => {
		const user = await signUp('Wrong Purpose');
		await askForReset(provider, user.email);
		const { token } = await resetMail(mailDir, user.email);
		const page = await get(`${provider}/account/email/confirm?token=${encodeURIComponent(token)}`, { cookie: user.cookie, ...BROWSER });
		expect(await page.text()).toContain('Confirmation link no longer works');
		const post = await postForm(`${provider}/account/email/confirm`, { token }, { cookie: user.cookie, origin: provider, ...BROWSER });
		expect(post.status).toBe(400);
		// ... and was not used up by the attempt.
		expect((await submitNewPassword(provider, token, NEW_PASSWORD)).status).toBe(303);
	});

	it('malformed and forged tokens get the styled "no longer works" page, never an error', async () => {
		const user = await signUp('Forger');
		await askForReset(provider, user.email);
		const { token } = await resetMail(mailDir, user.email);
		const [id] = token.split('.');
		for (const forged of ['', 'x', `${id}.${'a'.repeat(32)}`, "' or 1=1 --", 'a'.repeat(10_000)]) {
			const page = await get(`${provider}/auth/reset-password?token=${encodeURIComponent(forged)}`, BROWSER);
			expect(page.status, forged.slice(0, 20)).toBe(200);
			expect(await page.text()).toContain('Reset link no longer works');
			expect((await submitNewPassword(provider, forged, NEW_PASSWORD)).status).toBe(400);
		}
	});

	it('a newer link replaces the older one', async () => {
		const user = await signUp('Two Links');
		await askForReset(provider, user.email);
		const first = await resetMail(mailDir, user.email);
		await askForReset(provider, user.email);
		const second = await resetMail(mailDir, user.email, [first.mail]);
		expect((await submitNewPassword(provider, first.token, NEW_PASSWORD)).status).toBe(400);
		expect((await submitNewPassword(provider, second.token, NEW_PASSWORD)).status).toBe(303);
	});
});

describe('an old link', () => {
	// Waiting 30 minutes is not a test: the module the page uses, with a clock.
	const database = useTestDatabase();

	it('is refused 30 minutes after it was sent, even if never used', async () => {
		const user = await createTestUser(database.db);
		const mailer = memoryMailer();
		const sentAt = new Date('2030-06-01T12:00:00Z');
		const settings = {
			issuer: 'https://sso.example.com',
			mailer,
			limits: {
				resetRequestsPerAddress: { kind: 'window' as const, limit: 10, windowSeconds: 3600 },
				mailsPerRecipient: { kind: 'window' as const, limit: 10, windowSeconds: 3600 }
			}
		};
		const outcome = await requestPasswordReset(database.db, { email: user.email, clientAddress: '192.0.2.1' }, settings, sentAt);
		expect(outcome.status === 'accepted' && (await outcome.delivery)).toBe('sent');
		const token = new URL(linksOf(mailer.sent[0])[0]).searchParams.get('token')!;
		const later = new Date(sentAt.getTime() + RESET_LINK_TTL_SECONDS * 1000);
		expect(await resetPassword(database.db, { token, password: NEW_PASSWORD }, settings, later)).toEqual({ status: 'invalid-link' });
	});
});

describe('after a reset', () => {
	it('every session of the account ends (old cookies stop working), and the dashboard is signed out by back-channel logout', async () => {
		const user = await signUp('Many Sessions');
		const otherBrowser = cookieHeader(await signInJSON(provider, user.email, user.password), 'op_session');
		const dashboard = await signInToSite1(user.cookie);
		expect(await (await get(`${site1}/`, { cookie: dashboard, ...BROWSER })).text()).toContain('Welcome, Many Sessions');

		await askForReset(provider, user.email);
		const { token } = await resetMail(mailDir, user.email);
		expect((await submitNewPassword(provider, token, NEW_PASSWORD)).status).toBe(303);

		for (const cookie of [user.cookie, otherBrowser]) {
			expect(await (await get(`${provider}/api/auth/session`, { cookie })).json()).toBeNull();
			const account = await get(`${provider}/account`, { cookie, ...BROWSER });
			expect(account.status).toBe(303);
			expect(account.headers.get('location')).toMatch(/^\/auth\/login/);
		}
		const site = await (await get(`${site1}/`, { cookie: dashboard, ...BROWSER })).text();
		expect(site).toContain('Sign in with SSO');
		expect(site).not.toContain('Welcome, Many Sessions');
	});

	it('the old password no longer works, and a notice arrives that carries neither password nor a stored hash', async () => {
		const user = await signUp('Notice Reader');
		await askForReset(provider, user.email);
		const { token } = await resetMail(mailDir, user.email);
		await submitNewPassword(provider, token, NEW_PASSWORD);
		expect((await signInJSON(provider, user.email, user.password)).status).toBe(401);
		const notice = await readMail(mailDir, user.email, { subject: /^Your SSO Provider password was changed$/ });
		expect(notice.text).toContain('If this was not you');
		expect(notice.html).toContain('<html lang="en">');
		const storedHash = hashSecret(token.split('.')[1]);
		for (const mail of await mailTo(mailDir, user.email)) {
			for (const part of [mail.text, mail.html]) {
				expect(part).not.toContain(NEW_PASSWORD);
				expect(part).not.toContain(user.password);
				expect(part).not.toContain(storedHash);
			}
		}
	});

	it('an account held back by a guesser signs in right after the reset, from the same address', async () => {
		const user = await signUp('Held Back');
		const guesses = await Promise.all(Array.from({ length: 8 }, (_, i) => signInJSON(provider, user.email, `wrong guess ${i}`)));
		expect(guesses.some((r) => r.status === 429)).toBe(true);
		const held = await signInJSON(provider, user.email, user.password);
		expect(held.status).toBe(429);
		expect(await held.json()).toMatchObject({ error: 'rate_limited', reset_password_url: `${provider}/auth/forgot-password` });
		const page = await postForm(`${provider}/auth/login`, { email: user.email, password: user.password }, { origin: provider, ...BROWSER });
		expect(page.status).toBe(429);
		expect(await page.text()).toMatch(/<a href="\/auth\/forgot-password\?email=[^"]+"[^>]*>reset your password<\/a>/);

		await askForReset(provider, user.email);
		const { token } = await resetMail(mailDir, user.email);
		expect((await submitNewPassword(provider, token, NEW_PASSWORD)).status).toBe(303);
		expect((await signInJSON(provider, user.email, NEW_PASSWORD)).status).toBe(200);
	});
});

describe('mail flood', () => {
	const ADDRESS_HEADER = 'x-test-client-ip';
	const server = useProductionServer(
		{ port: 4510, serve: 'provider', env: { ADDRESS_HEADER, RATE_LIMIT_MAIL_PER_RECIPIENT: '2/1h', RATE_LIMIT_PASSWORD_RESET_PER_IP: '3/1h' } },
		180_000
	);

	it('many requests for one address, from many client addresses: the same answer every time, at most 2 mails', async () => {
		const victim = 'demo@example.com';
		const responses = [];
		for (let i = 0; i < 6; i++) responses.push(await askForReset(server.urls.provider, victim, { [ADDRESS_HEADER]: `198.18.0.${i + 1}` }));
		expect(responses.map((r) => r.status)).toEqual([303, 303, 303, 303, 303, 303]);
		expect(new Set(responses.map((r) => r.headers.get('location'))).size).toBe(1);
		await readMail(server.mail!.dir, victim, { subject: /Reset your/ });
		await new Promise((resolve) => setTimeout(resolve, GRACE_MS));
		expect(await mailTo(server.mail!.dir, victim)).toHaveLength(2);
	});

	it('one client address asking for many addresses is held back after 3 requests, with a page that says so', async () => {
		const statuses = [];
		for (let i = 0; i < 4; i++) statuses.push((await askForReset(server.urls.provider, `spray-${i}@example.com`, { [ADDRESS_HEADER]: '198.18.1.1' })).status);
		expect(statuses).toEqual([303, 303, 303, 429]);
		const held = await askForReset(server.urls.provider, 'spray-9@example.com', { [ADDRESS_HEADER]: '198.18.1.1' });
		expect(await held.text()).toMatch(/Too many reset requests from your network\. Try again in \d+ minutes?\./);
		expect((await allMail(server.mail!.dir)).filter((m) => m.to.some((t) => t.startsWith('spray-')))).toEqual([]);
	});
});
