// Sign-up must not tell a stranger who has an account (OWASP WSTG-IDNT-04, account
// enumeration), nor let anyone hold an address they cannot read mail for. From the attacker's
// side, against the production build: what the answers show, what the mailboxes receive, and
// what a confirmation link can and cannot do.
import { describe, expect, it } from 'vitest';
import { allMail, mailTo, readMail, type ReceivedMail } from '../support/mail-sink';
import { get, postForm, postJSON, servers, setCookie, signUp, signUpToken, uniqueEmail } from '../support/http';

const { provider, mailDir } = servers();
const BROWSER = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', origin: provider };
const PASSWORD = 'a long attacker passphrase';

/** Everything an attacker sees of a response, with the values that differ per request (date, the address typed) made equal. */
async function visible(response: Response, email: string) {
	const mask = (text: string) => text.replaceAll(email, '<EMAIL>').replaceAll(encodeURIComponent(email), '<EMAIL>');
	const headers = [...response.headers].filter(([name]) => !['date', 'content-length'].includes(name)).map(([name, value]) => [name, mask(value)]);
	return { status: response.status, headers, body: mask(await response.text()) };
}

function confirm(token: string, headers: Record<string, string> = {}) {
	return postForm(`${provider}/auth/verify-email`, { token }, { ...BROWSER, ...headers });
}

async function signInWorks(email: string, password: string): Promise<boolean> {
	return (await postJSON(`${provider}/api/auth/sign-in/email`, { email, password })).status === 200;
}

describe('sign-up answers the same whether or not the address has an account', () => {
	it('JSON: the answers for a taken and a free address are identical apart from the address itself', async () => {
		const owner = await signUp('Owner');
		const free = uniqueEmail('free');
		const taken = await visible(
			await postJSON(`${provider}/api/auth/sign-up/email`, { email: owner.email, password: PASSWORD, name: 'Attacker' }),
			owner.email
		);
		const fresh = await visible(await postJSON(`${provider}/api/auth/sign-up/email`, { email: free, password: PASSWORD, name: 'Attacker' }), free);
		expect(taken).toEqual(fresh);
		expect(taken.status).toBe(202);
		expect(taken.headers.map(([name]) => name)).not.toContain('set-cookie');
	});

	it('form: the same redirect to "Check your inbox", and the same page after it', async () => {
		const owner = await signUp('Form Owner');
		const free = uniqueEmail('free-form');
		const submit = (email: string) => postForm(`${provider}/auth/signup`, { name: 'Attacker', email, password: PASSWORD, return_to: '/account' }, BROWSER);
		const takenResponse = await submit(owner.email);
		const freeResponse = await submit(free);
		const taken = await visible(takenResponse.clone(), owner.email);
		const fresh = await visible(freeResponse.clone(), free);
		expect(taken).toEqual(fresh);
		expect(takenResponse.status).toBe(303);
		expect(taken.headers.map(([name]) => name)).not.toContain('set-cookie');
		const page = async (response: Response, email: string) => {
			const html = (await (await get(new URL(response.headers.get('location')!, provider).href, BROWSER)).text()).replaceAll(email, '<EMAIL>');
			// Per request: SvelteKit's hydration ids and the CSP nonce.
			return html.replace(/__sveltekit_\w+/g, '__sveltekit').replace(/nonce="[^"]*"/g, 'nonce');
		};
		const takenPage = await page(takenResponse, owner.email);
		expect(takenPage).toEqual(await page(freeResponse, free));
		expect(takenPage).toContain('Check your inbox');
	});

	it('only the mailbox of the address learns which case it was', async () => {
		const owner = await signUp('Mailbox Owner');
		const free = uniqueEmail('free-mailbox');
		await postJSON(`${provider}/api/auth/sign-up/email`, { email: owner.email, password: PASSWORD, name: 'Attacker' });
		await postJSON(`${provider}/api/auth/sign-up/email`, { email: free, password: PASSWORD, name: 'Attacker' });
		const toOwner = await readMail(mailDir, owner.email, { subject: /Someone tried to create an account with your address/ });
		expect(toOwner.links).not.toContainEqual(expect.stringContaining('/auth/verify-email'));
		expect(toOwner.links).toContain(`${provider}/auth/forgot-password`);
		const toFree = await readMail(mailDir, free, { subject: /^Confirm your email address/ });
		expect(toFree.links).toContainEqual(expect.stringContaining(`${provider}/auth/verify-email?token=`));
		// And the attacker's password never works on the owner's account.
		expect(await signInWorks(owner.email, PASSWORD)).toBe(false);
	});
});

describe('an address is only taken by whoever reads its mail', () => {
	it('a pending sign-up is no account: its password does not sign in, and opening the link (as a mail scanner does) creates nothing', async () => {
		const email = uniqueEmail('pending');
		await postJSON(`${provider}/api/auth/sign-up/email`, { email, password: PASSWORD, name: 'Pending' });
		expect(await signInWorks(email, PASSWORD)).toBe(false);
		const token = await signUpToken(mailDir, email);
		const link = `${provider}/auth/verify-email?${new URLSearchParams({ token })}`;
		const preview = await get(link, BROWSER);
		expect(preview.status).toBe(200);
		expect(preview.headers.get('cache-control')).toBe('no-store');
		expect(setCookie(preview, 'op_session')).toBeUndefined();
		expect(await preview.text()).toContain('Confirm and sign in');
		await get(link, BROWSER);
		expect(await signInWorks(email, PASSWORD)).toBe(false);
		// Only the button (a POST from the provider's own page) creates the account.
		expect((await confirm(token)).status).toBe(303);
		expect(await signInWorks(email, PASSWORD)).toBe(true);
	});

	it('the link works once: parallel confirmations make one account and one session', async () => {
		const email = uniqueEmail('parallel');
		await postJSON(`${provider}/api/auth/sign-up/email`, { email, password: PASSWORD, name: 'Parallel' });
		const token = await signUpToken(mailDir, email);
		const responses = await Promise.all(Array.from({ length: 10 }, () => confirm(token)));
		const signedIn = responses.filter((r) => setCookie(r, 'op_session')?.value);
		expect(signedIn).toHaveLength(1);
		expect(signedIn[0].status).toBe(303);
		expect(responses.filter((r) => r.status === 410)).toHaveLength(9);
		// Used: the link now shows the styled "cannot be used" page, with a way forward.
		const again = await get(`${provider}/auth/verify-email?${new URLSearchParams({ token })}`, BROWSER);
		expect(again.status).toBe(200);
		const html = await again.text();
		expect(html).toContain('This link cannot be used');
		expect(html).toContain('href="/auth/signup"');
		expect(html).toContain('href="/auth/login"');
	});

	it("a link from another origin's page is refused (the confirmation cannot be forged cross-site)", async () => {
		const email = uniqueEmail('forged');
		await postJSON(`${provider}/api/auth/sign-up/email`, { email, password: PASSWORD, name: 'Forged' });
		const token = await signUpToken(mailDir, email);
		const forged = await confirm(token, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' });
		expect(forged.status).toBe(403);
		expect(await signInWorks(email, PASSWORD)).toBe(false);
	});

	it('tokens of other kinds, and guessed or altered ones, are not sign-up links', async () => {
		const user = await signUp('Other Kind');
		const sessionToken = decodeURIComponent(user.cookie.split('=')[1]);
		const email = uniqueEmail('altered');
		await postJSON(`${provider}/api/auth/sign-up/email`, { email, password: PASSWORD, name: 'Altered' });
		const token = await signUpToken(mailDir, email);
		const [id, secret] = token.split('.');
		const altered = `${id}.${secret.slice(0, -1)}${secret.endsWith('a') ? 'b' : 'a'}`;
		for (const candidate of [sessionToken, altered, id, `${id}.`, 'x'.repeat(5000)]) {
			const response = await confirm(candidate);
			expect(response.status, candidate.slice(0, 40)).toBe(410);
			expect(setCookie(response, 'op_session')).toBeUndefined();
		}
		expect(await signInWorks(email, PASSWORD)).toBe(false);
		expect((await confirm(token)).status).toBe(303);
	});
});

describe('what the mail carries', () => {
	it('the confirmation mail names the provider and the reason, has text and HTML parts, and carries neither the password nor its hash', async () => {
		const email = uniqueEmail('contents');
		const password = 'distinctive passphrase 4711';
		await postJSON(`${provider}/api/auth/sign-up/email`, { email, password, name: 'Contents' });
		const mail = await readMail(mailDir, email, { subject: /^Confirm your email address/ });
		expect(mail.subject).toContain('SSO Provider');
		expect(mail.text).toMatch(/SSO Provider: you got this mail because this address was used to sign up/);
		expect(mail.html).toContain('<html lang="en">');
		for (const part of [mail.text, mail.html]) {
			expect(part).not.toContain(password);
			expect(part).not.toMatch(/argon2/i);
		}
	});
});

describe('nobody can flood an inbox through sign-up', () => {
	it("ten sign-ups with a victim's address: each answered the same, at most three mails reach the victim", async () => {
		const victim = uniqueEmail('flooded');
		const responses = await Promise.all(
			Array.from({ length: 10 }, (_, i) => postJSON(`${provider}/api/auth/sign-up/email`, { email: victim, password: `${PASSWORD} ${i}`, name: 'Flood' }))
		);
		expect(responses.map((r) => r.status)).toEqual(Array(10).fill(202));
		// Mail is sent in the background: wait for the three, then give any fourth the chance to arrive.
		const seen: ReceivedMail[] = [];
		for (let i = 0; i < 3; i++) seen.push(await readMail(mailDir, victim, { seen }));
		const marker = uniqueEmail('marker');
		await postJSON(`${provider}/api/auth/sign-up/email`, { email: marker, password: PASSWORD, name: 'Marker' });
		await readMail(mailDir, marker);
		await new Promise((resolve) => setTimeout(resolve, 500));
		expect(await mailTo(mailDir, victim)).toHaveLength(3);
		expect((await allMail(mailDir)).length).toBeGreaterThan(0);
	});
});
