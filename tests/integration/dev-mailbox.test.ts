// Mail without an SMTP server: the development mailbox (DEV_MAILBOX=true, or `vite dev`) lets a
// newcomer click through every journey on a fresh machine; with mail off, the start-up log
// says what does not work, and sign-up says it is unavailable instead of pretending.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, postForm, postJSON, servers, uniqueEmail } from '../support/http';
import { startProductionServer, testPortOffset, type ProductionServer } from '../support/production-server';

const BROWSER = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const database = process.env.TEST_DB === 'postgres' ? 'postgres' : 'pglite';

let withMailbox: ProductionServer;
let mailOff: ProductionServer;

beforeAll(async () => {
	[withMailbox, mailOff] = await Promise.all([
		startProductionServer({ port: 4500 + testPortOffset(), database, serve: 'provider', env: { SMTP_URL: undefined, DEV_MAILBOX: 'true' } }),
		startProductionServer({ port: 4503 + testPortOffset(), database, serve: 'provider', env: { SMTP_URL: undefined } })
	]);
}, 180_000);
afterAll(async () => {
	await Promise.all([withMailbox?.stop(), mailOff?.stop()]);
});

/** Polls the mailbox page until a message to `email` is listed; returns its page's path. */
async function messageInMailbox(provider: string, email: string): Promise<string> {
	for (let i = 0; i < 100; i++) {
		const html = await (await get(`${provider}/dev/mailbox`, BROWSER)).text();
		const row = html.split('<tr>').find((r) => r.includes(email));
		const href = row?.match(/href="(\/dev\/mailbox\/[^"]+)"/)?.[1];
		if (href) return href;
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	throw new Error(`no message to ${email} in ${provider}/dev/mailbox`);
}

describe('DEV_MAILBOX=true without SMTP_URL', () => {
	it('says at start where mail goes, and warns that it is unsafe on an exposed server', () => {
		const log = withMailbox.readLog();
		expect(log).toContain(`[sso] mail: development mailbox at ${withMailbox.urls.provider}/dev/mailbox`);
		expect(log).toMatch(/WARNING: DEV_MAILBOX=true: anyone who can reach .* can read every mail/);
	});

	it('a whole sign-up can be clicked through: check-inbox → mailbox → message → its link → confirm → signed in, verified', async () => {
		const { provider } = withMailbox.urls;
		const email = uniqueEmail('mailbox');
		const submitted = await postForm(
			`${provider}/auth/signup`,
			{ name: 'Newcomer', email, password: 'a fresh machine passphrase' },
			{ ...BROWSER, origin: provider }
		);
		expect(submitted.status).toBe(303);
		const checkInbox = await (await get(`${provider}${submitted.headers.get('location')}`, BROWSER)).text();
		expect(checkInbox).toContain('href="/dev/mailbox"');

		const messagePath = await messageInMailbox(provider, email);
		const message = await get(`${provider}${messagePath}`, BROWSER);
		expect(message.status).toBe(200);
		expect(message.headers.get('cache-control')).toBe('no-store');
		const html = await message.text();
		expect(html).toContain('Confirm your email address for SSO Provider');
		// The link in the text part is a real, clickable link.
		const link = html.match(/<a href="(http:\/\/localhost:\d+\/auth\/verify-email\?token=[^"]+)"/)?.[1]?.replaceAll('&amp;', '&');
		expect(link, html).toBeTruthy();

		const confirmPage = await (await get(link!, BROWSER)).text();
		expect(confirmPage).toContain('Confirm and sign in');
		const token = new URL(link!).searchParams.get('token')!;
		const confirmed = await postForm(link!, { token }, { ...BROWSER, origin: provider });
		expect(confirmed.status).toBe(303);
		const cookie = confirmed.headers
			.getSetCookie()
			.find((c) => c.startsWith('op_session='))!
			.split(';')[0];
		const session = (await (await get(`${provider}/api/auth/session`, { cookie })).json()) as { user: { email: string; emailVerified: boolean } };
		expect(session.user).toMatchObject({ email, emailVerified: true });
	});

	it('the HTML part is shown only in a sandbox (no scripts, no outside requests)', async () => {
		const { provider } = withMailbox.urls;
		const email = uniqueEmail('mailbox-html');
		await postJSON(`${provider}/api/auth/sign-up/email`, { email, password: 'a fresh machine passphrase', name: 'HTML' });
		const messagePath = await messageInMailbox(provider, email);
		const response = await get(`${provider}${messagePath}/html`, BROWSER);
		expect(response.status).toBe(200);
		const csp = response.headers.get('content-security-policy') ?? '';
		expect(csp).toMatch(/^sandbox\b/);
		expect(csp).not.toContain('allow-scripts');
		expect(csp).not.toContain('allow-same-origin');
		expect(csp).toContain("default-src 'none'");
		expect(await response.text()).toContain('Confirm your email address');
	});

	it('an unknown message → the styled 404 page', async () => {
		const response = await get(`${withMailbox.urls.provider}/dev/mailbox/does-not-exist`, BROWSER);
		expect(response.status).toBe(404);
		expect(await response.text()).toContain('Page not found');
	});
});

describe('mail off (production, no SMTP_URL)', () => {
	it('the start-up log names the features that are off', () => {
		expect(mailOff.readLog()).toContain(
			'[sso] mail: OFF (SMTP_URL is not set). Unavailable until it is: ' +
				'sign-up by email, email verification, password reset, change of address, linking an upstream account by email.'
		);
	});

	it('JSON sign-up says it is unavailable (503 mail_unavailable), creates nothing and does not pretend a link was sent', async () => {
		const { provider } = mailOff.urls;
		const email = uniqueEmail('mail-off');
		const response = await postJSON(`${provider}/api/auth/sign-up/email`, { email, password: 'a passphrase nobody uses', name: 'Nobody' });
		expect(response.status).toBe(503);
		const body = (await response.json()) as { error: string; message: string; status?: string };
		expect(body.error).toBe('mail_unavailable');
		expect(body.message).toMatch(/Sign-up is unavailable because this provider cannot send email/);
		expect(body.status).toBeUndefined();
		expect((await postJSON(`${provider}/api/auth/sign-in/email`, { email, password: 'a passphrase nobody uses' })).status).toBe(401);
	});

	it('the sign-up page says so instead of offering the form; a posted form gets the same message, not a 500', async () => {
		const { provider } = mailOff.urls;
		const page = await (await get(`${provider}/auth/signup`, BROWSER)).text();
		expect(page).toContain('Sign-up is unavailable because this provider cannot send email');
		expect(page).not.toContain('name="password"');
		const posted = await postForm(
			`${provider}/auth/signup`,
			{ name: 'Nobody', email: uniqueEmail('mail-off-form'), password: 'a passphrase nobody uses' },
			{ ...BROWSER, origin: provider }
		);
		expect(posted.status).toBe(503);
		expect(await posted.text()).toContain('Sign-up is unavailable because this provider cannot send email');
	});

	it('/dev/mailbox does not exist (styled 404), here and on a server with SMTP', async () => {
		for (const provider of [mailOff.urls.provider, servers().provider]) {
			const response = await get(`${provider}/dev/mailbox`, BROWSER);
			expect(response.status, provider).toBe(404);
			expect(await response.text()).toContain('Page not found');
		}
	});

	it('a server with SMTP says so at start, naming only the host', async () => {
		const log = (await import('node:fs')).readFileSync((await import('vitest')).inject('serverLog'), 'utf8');
		expect(log).toMatch(/\[sso\] mail: SMTP \(127\.0\.0\.1:\d+\)/);
	});
});
