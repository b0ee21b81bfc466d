// Change of address from the attacker's side, against the production build: whoever holds a
// session cannot move the account to their own mailbox without the password, the link goes only
// to the new address, the old address hears of every step, and another account's address can
// neither be taken nor found out this way.
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { mailTo, readMail, type ReceivedMail } from '../support/mail-sink';
import { codeFor, dashboardRequest, get, postForm, servers, signUp, tokenRequest, uniqueEmail, DASHBOARD_CREDENTIALS } from '../support/http';

const { provider, site1, mailDir } = servers();
const BROWSER = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
const GRACE_MS = 1500;

function askForChange(cookie: string, email: string, password?: string): Promise<Response> {
	return postForm(`${provider}/account/email`, { email, ...(password === undefined ? {} : { password }) }, { cookie, origin: provider, ...BROWSER });
}

async function confirmLink(to: string, seen: ReceivedMail[] = []): Promise<{ mail: ReceivedMail; link: URL; token: string }> {
	const mail = await readMail(mailDir, to, { subject: /^Confirm your new SSO Provider email address$/, seen });
	const link = new URL(mail.links[0]);
	return { mail, link, token: link.searchParams.get('token')! };
}

function confirm(cookie: string, token: string): Promise<Response> {
	return postForm(`${provider}/account/email/confirm?token=${encodeURIComponent(token)}`, { token }, { cookie, origin: provider, ...BROWSER });
}

async function emailInIDToken(cookie: string): Promise<unknown> {
	const request = dashboardRequest();
	const code = await codeFor(request, cookie);
	const response = await tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: request.redirect_uri, ...DASHBOARD_CREDENTIALS });
	const { id_token, access_token } = (await response.json()) as { id_token: string; access_token: string };
	const info = (await (await get(`${provider}/api/auth/userinfo`, { authorization: `Bearer ${access_token}` })).json()) as { email?: string };
	expect(info.email).toBe(decodeJwt(id_token).email);
	return decodeJwt(id_token).email;
}

describe('asking to change the address', () => {
	it('a session alone is not enough: without the current password nothing is sent', async () => {
		const victim = await signUp('Stolen Session');
		// The sign-up confirmation is the victim's only mail so far.
		const before = await mailTo(mailDir, victim.email);
		const attackerMailbox = uniqueEmail('attacker');
		const without = await askForChange(victim.cookie, attackerMailbox);
		expect(without.status).toBe(400);
		expect(await without.text()).toContain('Enter your current password.');
		const wrong = await askForChange(victim.cookie, attackerMailbox, 'a guess at the password');
		expect(wrong.status).toBe(400);
		expect(await wrong.text()).toContain('This is not your current password.');
		await new Promise((resolve) => setTimeout(resolve, GRACE_MS));
		expect(await mailTo(mailDir, attackerMailbox)).toEqual([]);
		expect(await mailTo(mailDir, victim.email)).toEqual(before);
	});

	it('without a session the page sends to sign-in, and a cross-site form post is refused', async () => {
		const page = await get(`${provider}/account/email`, BROWSER);
		expect(page.status).toBe(303);
		expect(page.headers.get('location')).toBe('/auth/login?return_to=%2Faccount%2Femail');
		const user = await signUp('Cross Site');
		const forged = await postForm(
			`${provider}/account/email`,
			{ email: uniqueEmail('csrf'), password: user.password },
			{ cookie: user.cookie, origin: site1, ...BROWSER }
		);
		expect(forged.status).toBe(403);
	});
});

describe('the whole change', () => {
	it('the link goes only to the new address; the old address gets a notice of the request and of the change; sites see the new address', async () => {
		const user = await signUp('Moving House');
		const newEmail = uniqueEmail('moved');
		const asked = await askForChange(user.cookie, newEmail, user.password);
		expect(asked.status).toBe(303);
		expect(asked.headers.get('location')).toBe(`/account/email/sent?to=${encodeURIComponent(newEmail)}`);

		const { link, token } = await confirmLink(newEmail);
		expect(link.origin + link.pathname).toBe(`${provider}/account/email/confirm`);
		const requested = await readMail(mailDir, user.email, { subject: /^A change of your SSO Provider email address was requested$/ });
		expect(requested.text).not.toContain(token);
		expect(requested.links.some((l) => l.includes('/account/email/confirm'))).toBe(false);

		// Opening the link (as a mail scanner would) changes nothing; the button does.
		const page = await get(link.href, { cookie: user.cookie, ...BROWSER });
		expect(page.status).toBe(200);
		expect(page.headers.get('cache-control')).toBe('no-store');
		expect(await page.text()).toContain(`Use ${newEmail}`);
		expect(await emailInIDToken(user.cookie)).toBe(user.email);

		const confirmed = await confirm(user.cookie, token);
		expect(confirmed.status).toBe(303);
		expect(confirmed.headers.get('location')).toBe('/account?notice=email-changed');
		const account = await (await get(`${provider}${confirmed.headers.get('location')}`, { cookie: user.cookie, ...BROWSER })).text();
		expect(account).toContain('Your email address has been changed.');
		expect(account).toContain(newEmail);
		await readMail(mailDir, user.email, { subject: /^Your SSO Provider email address was changed$/ });
		expect(await emailInIDToken(user.cookie)).toBe(newEmail);
		// The link is used up.
		expect((await confirm(user.cookie, token)).status).toBe(400);
		expect((await mailTo(mailDir, newEmail)).map((m) => m.subject)).toEqual(['Confirm your new SSO Provider email address']);
	});

	it('a signed-out click on the link goes to sign-in first, and back', async () => {
		const user = await signUp('Phone Reader');
		const newEmail = uniqueEmail('phone');
		await askForChange(user.cookie, newEmail, user.password);
		const { link } = await confirmLink(newEmail);
		const page = await get(link.href, BROWSER);
		expect(page.status).toBe(303);
		expect(page.headers.get('location')).toBe(`/auth/login?return_to=${encodeURIComponent(link.pathname + link.search)}`);
	});

	it('someone else signed in cannot use the link: nothing changes', async () => {
		const owner = await signUp('Link Owner');
		const other = await signUp('Link Finder');
		const newEmail = uniqueEmail('finder');
		await askForChange(owner.cookie, newEmail, owner.password);
		const { link, token } = await confirmLink(newEmail);
		expect(await (await get(link.href, { cookie: other.cookie, ...BROWSER })).text()).toContain('This link is for another account');
		expect((await confirm(other.cookie, token)).status).toBe(403);
		expect((await confirm(owner.cookie, token)).status).toBe(303);
	});
});

describe("another account's address", () => {
	it('cannot be taken, and the answer does not reveal that it is in use', async () => {
		const attacker = await signUp('Address Prober');
		const target = await signUp('Address Owner');
		const fresh = uniqueEmail('fresh');
		const taken = await askForChange(attacker.cookie, target.email, attacker.password);
		const free = await askForChange(attacker.cookie, fresh, attacker.password);
		expect([taken.status, free.status]).toEqual([303, 303]);
		expect(taken.headers.get('location')!.replace(encodeURIComponent(target.email), 'X')).toBe(
			free.headers.get('location')!.replace(encodeURIComponent(fresh), 'X')
		);

		const inUse = await readMail(mailDir, target.email, { subject: /^Your address is already in use at SSO Provider$/ });
		expect(inUse.links.some((l) => l.includes('/account/email/confirm'))).toBe(false);
		// The attacker's own mailbox hears of both requests alike.
		const notices = async () => (await mailTo(mailDir, attacker.email)).filter((m) => /was requested$/.test(m.subject));
		await expect.poll(async () => (await notices()).length, { timeout: 10_000 }).toBe(2);
		const account = await (await get(`${provider}/account`, { cookie: target.cookie, ...BROWSER })).text();
		expect(account).toContain(target.email);
	});

	it('taken by another account between asking and confirming: a clear message, no change, no error', async () => {
		const slow = await signUp('Slow Confirmer');
		const fast = await signUp('Fast Confirmer');
		const contested = uniqueEmail('contested');
		await askForChange(slow.cookie, contested, slow.password);
		const slowLink = await confirmLink(contested);
		await askForChange(fast.cookie, contested, fast.password);
		const fastLink = await confirmLink(contested, [slowLink.mail]);
		expect((await confirm(fast.cookie, fastLink.token)).status).toBe(303);
		const late = await confirm(slow.cookie, slowLink.token);
		expect(late.status).toBe(409);
		expect(await late.text()).toContain('now belongs to another account, so your address was not changed');
		expect(await (await get(`${provider}/account`, { cookie: slow.cookie, ...BROWSER })).text()).toContain(slow.email);
	});
});
