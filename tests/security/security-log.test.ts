// The account's Security log from the attacker's side, against the production build: guesses
// at someone's password show up in THEIR log with the guesser's address; nobody can read
// another person's log (the page takes no user id, and whatever is put in its URL only ever
// narrows the signed-in user's own lines); and no line, nor anything else stored, holds a
// password tried, a password set, a session token or an emailed link's token.
//
// A server of our own with adapter-node's ADDRESS_HEADER, so each request can say which
// address it comes from, as a reverse proxy would. Ports 4600-4602 (+ TEST_PORT_OFFSET; the
// postgres project +100).
import { beforeAll, describe, expect, it } from 'vitest';
import { confirmSignUpLink, cookieHeader, get, postForm, postJSON } from '../support/http';
import { readMail } from '../support/mail-sink';
import { databaseText } from '../support/database-text';
import { useProductionServer } from '../support/provider-fixture';

const ADDRESS_HEADER = 'x-test-client-ip';
const BROWSER = {
	accept: 'text/html,application/xhtml+xml,*/*;q=0.8',
	'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36'
};
const ATTACKER_ADDRESS = '198.51.100.66';
const VICTIM_ADDRESS = '192.0.2.10';
const GUESSES = ['Summer2024!', 'password123', 'letmein-please'];

const server = useProductionServer({ port: 4600, serve: 'provider', env: { ADDRESS_HEADER } }, 180_000);
let provider: string;
beforeAll(() => {
	provider = server.urls.provider;
});

const from = (address: string) => ({ [ADDRESS_HEADER]: address });

async function newAccount(label: string, address: string) {
	const email = `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.com`;
	const password = `a long passphrase for ${label} ${Math.random().toString(36).slice(2)}`;
	const response = await postJSON(`${provider}/api/auth/sign-up/email`, { email, password, name: label }, from(address));
	expect(response.status).toBe(202);
	await confirmSignUpLink(provider, server.mail!.dir, email);
	return { email, password };
}

async function signIn(account: { email: string; password: string }, address: string): Promise<{ cookie: string; token: string }> {
	const response = await postJSON(`${provider}/api/auth/sign-in/email`, account, { ...from(address), 'user-agent': BROWSER['user-agent'] });
	expect(response.status).toBe(200);
	const cookie = cookieHeader(response, 'op_session');
	return { cookie, token: cookie.replace(/^op_session=/, '') };
}

/** The log page as the signed-in browser sees it: its lines' text, in order. */
async function logLines(cookie: string, query = ''): Promise<{ status: number; lines: string[]; html: string }> {
	const response = await get(`${provider}/account/security${query}`, { ...BROWSER, cookie });
	const html = await response.text();
	const lines = [...html.matchAll(/<li class="security-event[^"]*">([\s\S]*?)<\/li>/g)].map((m) =>
		m[1]
			.replace(/<[^>]+>/g, ' ')
			.replace(/\s+/g, ' ')
			.trim()
	);
	return { status: response.status, lines, html };
}

describe('the security log, from the attacker’s side', () => {
	let victim: { email: string; password: string };
	let attacker: { email: string; password: string };

	beforeAll(async () => {
		victim = await newAccount('victim', VICTIM_ADDRESS);
		attacker = await newAccount('attacker', ATTACKER_ADDRESS);
	}, 60_000);

	it("failed guesses at someone's password appear in THEIR log with the guesser's address, through the JSON endpoint and the sign-in page", async () => {
		for (const password of GUESSES.slice(0, 2)) {
			const response = await postJSON(
				`${provider}/api/auth/sign-in/email`,
				{ email: victim.email, password },
				{ ...from(ATTACKER_ADDRESS), 'user-agent': 'curl/8.5.0' }
			);
			expect(response.status).toBe(401);
		}
		const form = await postForm(
			`${provider}/auth/login`,
			{ email: victim.email, password: GUESSES[2] },
			{ origin: provider, ...BROWSER, ...from(ATTACKER_ADDRESS) }
		);
		expect(form.status).toBe(400);
		// A guess at an address with no account is answered the same, and logged nowhere.
		const unknown = await postJSON(`${provider}/api/auth/sign-in/email`, { email: `nobody-${Date.now()}@example.com`, password: 'x' }, from(ATTACKER_ADDRESS));
		expect(unknown.status).toBe(401);

		const { cookie } = await signIn(victim, VICTIM_ADDRESS);
		const { status, lines } = await logLines(cookie);
		expect(status).toBe(200);
		expect(lines[0]).toMatch(/^Signed in with a password This session When .* Address 192\.0\.2\.10 Browser Chrome on Windows$/);
		const failures = lines.filter((line) => line.startsWith('Warning: Failed sign-in: wrong password'));
		expect(failures).toHaveLength(3);
		for (const line of failures) expect(line).toContain(`Address ${ATTACKER_ADDRESS}`);
		expect(failures.filter((line) => line.includes('Browser curl on'))).toHaveLength(2);

		// The attacker's own log shows none of it: their guesses were at someone else.
		const own = await logLines((await signIn(attacker, ATTACKER_ADDRESS)).cookie);
		expect(own.lines.some((line) => line.includes('Failed sign-in'))).toBe(false);
		expect(own.html).not.toContain(VICTIM_ADDRESS);
	});

	it('a flood of refused attempts writes one line per address, not one per request', async () => {
		const target = await newAccount('flooded', VICTIM_ADDRESS);
		const flood = '203.0.113.77';
		const statuses: number[] = [];
		for (let i = 0; i < 12; i++) {
			const response = await postJSON(`${provider}/api/auth/sign-in/email`, { email: target.email, password: `guess ${i}` }, from(flood));
			statuses.push(response.status);
		}
		// The default limit (5 per account and address per 15 minutes) refuses the rest unchecked.
		expect(statuses.filter((s) => s === 401)).toHaveLength(5);
		expect(statuses.filter((s) => s === 429)).toHaveLength(7);
		const { lines } = await logLines((await signIn(target, VICTIM_ADDRESS)).cookie);
		expect(lines.filter((line) => line.includes('wrong password') && line.includes(flood))).toHaveLength(5);
		expect(lines.filter((line) => line.includes('Sign-in refused: too many failed attempts') && line.includes(flood))).toHaveLength(1);
	});

	it("no URL shows another user's log: ids, emails and forged cursors in the query only narrow one's own lines", async () => {
		const { cookie } = await signIn(attacker, ATTACKER_ADDRESS);
		const victimSession = await signIn(victim, VICTIM_ADDRESS);
		const victimId = ((await (await get(`${provider}/api/auth/session`, { cookie: victimSession.cookie })).json()) as { user: { id: string } }).user.id;
		const own = await logLines(cookie);
		for (const query of [
			`?user_id=${victimId}`,
			`?userId=${victimId}&user=${victimId}`,
			`?email=${encodeURIComponent(victim.email)}`,
			`?before=${Date.now() + 86_400_000}.${'a'.repeat(32)}`,
			`?before=${Date.now() + 86_400_000}.${victimId}`,
			`?before=' or 1=1 --`,
			`?before=${'9'.repeat(400)}`
		]) {
			const page = await logLines(cookie, query);
			expect(page.status, query).toBe(200);
			expect(page.html, query).not.toContain(victim.email);
			expect(page.html, query).not.toContain(VICTIM_ADDRESS);
			for (const line of page.lines) expect(own.lines, query).toContain(line);
		}
		// Signed out: nothing but the way to sign in.
		const anonymous = await get(`${provider}/account/security?user_id=${victimId}`, BROWSER);
		expect(anonymous.status).toBe(303);
		expect(anonymous.headers.get('location')).toBe('/auth/login?return_to=%2Faccount%2Fsecurity');
		// The page has no actions: a POST is refused, not a 500.
		const post = await postForm(`${provider}/account/security`, { user_id: victimId }, { origin: provider, ...BROWSER, cookie });
		expect(post.status).toBeGreaterThanOrEqual(400);
		expect(post.status).toBeLessThan(500);
	});

	it('after a password change and a reset, no line (nor any other stored row) holds a password, a session token or the link’s token', async () => {
		const changed = `the changed passphrase ${Math.random().toString(36).slice(2)}`;
		const reset = `the reset passphrase ${Math.random().toString(36).slice(2)}`;
		const session = await signIn(victim, VICTIM_ADDRESS);
		const change = await postForm(
			`${provider}/account/password`,
			{ current_password: victim.password, new_password: changed },
			{ origin: provider, ...BROWSER, cookie: session.cookie, ...from(VICTIM_ADDRESS) }
		);
		expect(change.status).toBe(303);

		const asked = await postForm(`${provider}/auth/forgot-password`, { email: victim.email }, { origin: provider, ...BROWSER, ...from(VICTIM_ADDRESS) });
		expect(asked.status).toBe(303);
		const mail = await readMail(server.mail!.dir, victim.email, { subject: /^Reset your SSO Provider password$/ });
		const resetToken = new URL(mail.links[0]).searchParams.get('token')!;
		const done = await postForm(
			`${provider}/auth/reset-password?token=${encodeURIComponent(resetToken)}`,
			{ token: resetToken, password: reset },
			{ origin: provider, ...BROWSER, ...from(VICTIM_ADDRESS) }
		);
		expect(done.status).toBe(303);

		const latest = await signIn({ email: victim.email, password: reset }, VICTIM_ADDRESS);
		const { lines, html } = await logLines(latest.cookie);
		expect(lines.slice(0, 3).map((line) => line.replace(/ When .*/, ''))).toEqual([
			'Signed in with a password This session',
			'Reset your password with a link sent by email',
			'Changed your password'
		]);
		const secrets = [victim.password, changed, reset, ...GUESSES, session.token, latest.token, resetToken];
		for (const secret of secrets) expect(html).not.toContain(secret);
		const stored = await databaseText(server);
		expect(stored).toContain(ATTACKER_ADDRESS); // the scan does see the log's rows
		for (const secret of secrets) expect(stored).not.toContain(secret);
	}, 60_000);
});
