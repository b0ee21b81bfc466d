// Sign-in through an upstream (GitHub, Google) in a real browser: demo site → provider →
// the local fake GitHub/Google (tests/support/fake-upstreams.js, started by start-server.js)
// → back → signed in on the demo site with the right claims. Also the linking page (password
// and mailed-link proof) and a cancelled consent. @forms: plain links, redirects and form posts,
// so each also runs with JavaScript disabled.
import { expect, test, type Page } from '@playwright/test';
import { expectAccessible } from './axe';
import { claim, uniqueEmail, welcome, startSignInAtSite } from './helpers';
import { nextMail } from './mail';
import { createAccount } from './accounts';
import { DEMO_USER, PROVIDER_URL, SITE1_URL } from './urls';

const LINK_PAGE = `${PROVIDER_URL}/auth/upstream/link`;

/** Answers the fake upstream's consent page as this person. */
async function consentAt(
	page: Page,
	upstream: 'Fake GitHub' | 'Fake Google',
	who: { login: string; name: string; email: string; verified: boolean }
): Promise<void> {
	await expect(page.getByRole('heading', { level: 1, name: upstream })).toBeVisible();
	await page.getByLabel('Login').fill(who.login);
	await page.getByLabel('Name').fill(who.name);
	await page.getByLabel('Email', { exact: true }).fill(who.email);
	await page.getByLabel('Email verified').setChecked(who.verified);
	await page.getByRole('button', { name: 'Authorize' }).click();
}

function person(label: string) {
	const email = uniqueEmail(label);
	return { login: email.split('@')[0], name: `Upstream ${label}`, email, verified: true };
}

test('demo site → "Continue with GitHub" → fake GitHub consent → signed in on the demo site as a new account', { tag: '@forms' }, async ({ page }) => {
	const who = person('github');
	await startSignInAtSite(page);
	await expectAccessible(page, 'the sign-in page with a "Continue with" link per upstream');
	await expect(page.getByRole('link', { name: 'Continue with Google' })).toBeVisible();
	await page.getByRole('link', { name: 'Continue with GitHub' }).click();
	await consentAt(page, 'Fake GitHub', who);
	await expect(page).toHaveURL(`${SITE1_URL}/`);
	await expect(page.getByRole('heading', { level: 2, name: `Welcome, ${who.name}` })).toBeVisible();
	await expect(claim(page, 'email')).toHaveText(who.email);
	await expect(claim(page, 'email_verified')).toHaveText('true');
	await expect(claim(page, 'name')).toHaveText(who.name);
	await expect(claim(page, 'amr')).toHaveText('["fed"]');
	await expect(claim(page, 'iss')).toHaveText(PROVIDER_URL);
});

test('"Continue with Google": the fake Google’s signed ID token signs in on the demo site', async ({ page }) => {
	const who = person('google');
	await startSignInAtSite(page);
	await page.getByRole('link', { name: 'Continue with Google' }).click();
	await consentAt(page, 'Fake Google', who);
	await expect(page).toHaveURL(`${SITE1_URL}/`);
	await expect(claim(page, 'email')).toHaveText(who.email);
	await expect(claim(page, 'email_verified')).toHaveText('true');
});

test('a GitHub account with the address of an existing account: the linking page asks for its password first', { tag: '@forms' }, async ({ page }) => {
	const who = { ...person('link'), email: DEMO_USER.email };
	await startSignInAtSite(page);
	await page.getByRole('link', { name: 'Continue with GitHub' }).click();
	await consentAt(page, 'Fake GitHub', who);
	await expect(page).toHaveURL(LINK_PAGE);
	await expect(page.getByRole('heading', { level: 1, name: 'Link your GitHub account' })).toBeVisible();
	await expect(page.getByText(`An account with the address ${DEMO_USER.email} already exists`)).toBeVisible();
	await expect(page.getByRole('button', { name: 'Email me a link' })).toBeVisible();
	await expectAccessible(page, 'the linking page');

	await page.getByLabel(`Password of ${DEMO_USER.email}`).fill('not the password');
	await page.getByRole('button', { name: 'Link and sign in' }).click();
	await expect(page.getByText('That is not the password of this account.')).toBeVisible();
	await expectAccessible(page, 'the linking page with a wrong password');

	await page.getByLabel(`Password of ${DEMO_USER.email}`).fill(DEMO_USER.password);
	await page.getByRole('button', { name: 'Link and sign in' }).click();
	await expect(page).toHaveURL(`${SITE1_URL}/`);
	await expect(welcome(page)).toBeVisible();
	await expect(claim(page, 'email')).toHaveText(DEMO_USER.email);
	await expect(claim(page, 'amr')).toHaveText('["fed","pwd"]');
});

test('linking by a mailed link: opened in the same browser, confirmed with a button', { tag: '@forms' }, async ({ page, request }) => {
	const { email, name } = await createAccount(request, page, 'mailed');
	await startSignInAtSite(page);
	await page.getByRole('link', { name: 'Continue with GitHub' }).click();
	await consentAt(page, 'Fake GitHub', { ...person('mailed'), email });
	await expect(page).toHaveURL(LINK_PAGE);
	await page.getByRole('button', { name: 'Email me a link' }).click();
	await expect(page.getByRole('status')).toContainText(`We sent a link to ${email}`);
	await expectAccessible(page, 'the linking page after the link was mailed');

	const mail = await nextMail(email, { subject: /Link your GitHub account/ });
	await page.goto(mail.links.find((l) => l.includes('/auth/upstream/link/confirm'))!);
	await expect(page.getByRole('heading', { level: 1, name: 'Confirm linking your GitHub account' })).toBeVisible();
	await expectAccessible(page, 'the confirm page of the mailed link');
	await page.getByRole('button', { name: 'Link and sign in' }).click();
	await expect(page).toHaveURL(`${SITE1_URL}/`);
	await expect(page.getByRole('heading', { level: 2, name: `Welcome, ${name}` })).toBeVisible();
	await expect(claim(page, 'amr')).toHaveText('["fed"]');
});

test('cancelling at GitHub shows a clear page whose way back returns to the sign-in for the same site', { tag: '@forms' }, async ({ page }) => {
	await startSignInAtSite(page);
	const signInURL = page.url();
	await page.getByRole('link', { name: 'Continue with GitHub' }).click();
	await expect(page.getByRole('heading', { level: 1, name: 'Fake GitHub' })).toBeVisible();
	await page.getByRole('button', { name: 'Cancel' }).click();
	await expect(page.getByRole('heading', { level: 1, name: 'Sign-in not completed' })).toBeVisible();
	await expect(page.getByRole('alert')).toHaveText('You cancelled signing in with GitHub. Nothing was changed.');
	await expectAccessible(page, 'the page after cancelling at the upstream');
	await page.getByRole('link', { name: 'Back to sign-in' }).click();
	await expect(page).toHaveURL(signInURL);
	// The way back still leads to the demo site.
	await page.getByLabel('Email').fill(DEMO_USER.email);
	await page.getByLabel('Password').fill(DEMO_USER.password);
	await page.getByRole('button', { name: 'Sign in', exact: true }).click();
	await expect(page).toHaveURL(`${SITE1_URL}/`);
	await expect(welcome(page)).toBeVisible();
});
