// Issue #6, finding 13: an attacker with a list of the most common passwords signs in as
// whoever chose one. NIST SP 800-63B §5.1.1.2: a new password is compared with a list of
// common and breached passwords and with context words (the user's email and name, the
// service's name); no composition rules.
import { describe, expect, it } from 'vitest';
import { confirmSignUpLink, postForm, postJSON, servers, uniqueEmail } from '../support/http';

const BROWSER = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const COMMON = ['password', '12345678', 'Password', 'qwerty123', 'iloveyou1', 'PASSWORD1'];

/** What an attacker who guesses `password` for `email` gets: true when the account is theirs. */
async function signInWorks(email: string, password: string): Promise<boolean> {
	const response = await postJSON(`${servers().provider}/api/auth/sign-in/email`, { email, password });
	return response.status === 200;
}

describe('common and breached passwords are refused at sign-up (NIST SP 800-63B §5.1.1.2)', () => {
	it.each(COMMON)('POST /api/auth/sign-up/email with %j → 400, a password field error, and no account', async (password) => {
		const email = uniqueEmail('common');
		const response = await postJSON(`${servers().provider}/api/auth/sign-up/email`, { email, password, name: 'Victim' });
		expect(response.status).toBe(400);
		const body = (await response.json()) as { error: string; fields: Record<string, string> };
		expect(body.error).toBe('invalid_request');
		expect(body.fields.password).toMatch(/most common/);
		expect(await signInWorks(email, password)).toBe(false);
	});

	it('the sign-up page shows the error next to the password field and creates no account', async () => {
		const email = uniqueEmail('common-form');
		const response = await postForm(`${servers().provider}/auth/signup`, { name: 'Victim', email, password: '12345678' }, BROWSER);
		expect(response.status).toBe(400);
		const html = await response.text();
		expect(html).toMatch(/<p class="field-error" id="password-error" role="alert">[^<]*most common/);
		expect(response.headers.getSetCookie().some((c) => c.startsWith('op_session='))).toBe(false);
		expect(await signInWorks(email, '12345678')).toBe(false);
	});

	it("the user's own email or name, or the service's name, as the password → refused", async () => {
		const email = uniqueEmail('context');
		const cases = [email, 'Grace Hopper', 'gracehopper1906', 'SSO Provider!', `${new URL(servers().provider).hostname}2024`];
		for (const password of cases) {
			const response = await postJSON(`${servers().provider}/api/auth/sign-up/email`, { email, password, name: 'Grace Hopper' });
			expect(response.status, password).toBe(400);
			const body = (await response.json()) as { fields: Record<string, string> };
			expect(body.fields.password, password).toMatch(/your name, your email address or the name of this service/);
		}
		expect(await signInWorks(email, email)).toBe(false);
	});

	it('an uncommon password of the minimum length still works (no composition rules)', async () => {
		const email = uniqueEmail('uncommon');
		const password = 'mauve-otter';
		const response = await postJSON(`${servers().provider}/api/auth/sign-up/email`, { email, password, name: 'Someone' });
		expect(response.status).toBe(202);
		await confirmSignUpLink(servers().provider, servers().mailDir, email);
		expect(await signInWorks(email, password)).toBe(true);
	});
});
