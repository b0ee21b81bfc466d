// The pages say where the user is, who asked and what happened: styled error pages on every
// origin, "which app asked" on sign-in, "Signed in as — not you?", truthful sign-out pages,
// the show-password toggle, local times, autofocus and page titles.
import { expect, test } from '@playwright/test';
import {
	authorizeURL,
	originAndPath,
	PARTNER_APP,
	registerClient,
	scriptsLoaded,
	signInAtProvider,
	signInOnBothSites,
	stayOffPartnerSite,
	submitSignIn
} from './helpers';
import { DEMO_USER, PROVIDER_URL, SITE1_URL, SITE2_URL } from './urls';
import { createAccount } from './accounts';

const ORIGINS = [
	{ url: PROVIDER_URL, title: 'SSO Provider', origin: 'provider', otherSidePage: '/auth/callback', postOnly: '/api/auth/register' },
	{ url: SITE1_URL, title: 'Internal Dashboard', origin: 'site1', otherSidePage: '/account', postOnly: '/auth/sign-out' },
	{ url: SITE2_URL, title: 'Team Wiki', origin: 'site2', otherSidePage: '/auth/login', postOnly: '/auth/sign-out-everywhere' }
];

for (const o of ORIGINS) {
	test(
		`${o.title}: unknown pages, the other side's pages and form-only addresses get the styled error page with a way back`,
		{ tag: '@forms' },
		async ({ page }) => {
			for (const { path, status, heading } of [
				{ path: '/no-such-page', status: 404, heading: 'Page not found' },
				{ path: o.otherSidePage, status: 404, heading: 'Page not found' },
				{ path: o.postOnly, status: 405, heading: 'This address is not a page' }
			]) {
				const response = await page.goto(`${o.url}${path}`);
				expect(response?.status(), path).toBe(status);
				expect(response?.headers()['content-type'], path).toMatch(/^text\/html/);
				await expect(page.getByRole('heading', { level: 1 })).toHaveText(heading);
				await expect(page).toHaveTitle(`${heading} — ${o.title}`);
				// The origin's own look (top bar, colours) and a way back to its start page.
				await expect(page.locator('html')).toHaveAttribute('data-origin', o.origin);
				await expect(page.getByRole('banner')).toContainText(o.title);
				await page.getByRole('main').getByRole('link', { name: 'Go to the start page' }).click();
				await expect(page).toHaveURL((url) => url.origin === o.url);
				await expect(page.getByRole('heading', { level: 1 })).not.toHaveText(heading);
			}
		}
	);
}

test('sign-in for an application says which one asked and where it lives', { tag: '@forms' }, async ({ page }) => {
	await page.goto(
		authorizeURL({ client_id: 'internal-dashboard', redirect_uri: `${SITE1_URL}/auth/callback`, response_type: 'code', scope: 'openid profile', state: 's' })
	);
	await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
	await expect(page.getByTestId('requesting-app')).toHaveText(`to continue to Internal Dashboard — ${new URL(SITE1_URL).host}`);
	await expect(page).toHaveTitle('Sign in — SSO Provider');
});

test('a sign-in link naming a redirect_uri the client did not register does not claim to continue to that client', { tag: '@forms' }, async ({ page }) => {
	const authorizeParams = new URLSearchParams({
		client_id: 'internal-dashboard',
		redirect_uri: 'https://evil.example/cb',
		response_type: 'code',
		scope: 'openid'
	});
	const returnTo = `/api/auth/authorize?${authorizeParams}`;
	await page.goto(`${PROVIDER_URL}/auth/login?${new URLSearchParams({ return_to: returnTo })}`);
	await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
	await expect(page.getByTestId('requesting-app')).toHaveCount(0);
	await expect(page.getByRole('main')).not.toContainText('Internal Dashboard');
});

test('consent: "Signed in as X — not you?" leads to signing in as someone else for the same request', { tag: '@forms' }, async ({ page, request }) => {
	// Someone else who uses the same browser later, with an account of their own.
	const other = await createAccount(request, page, 'not-you');
	await stayOffPartnerSite(page);
	const { client_id } = await registerClient(request, PARTNER_APP);
	await signInAtProvider(page);
	const authorize = authorizeURL({ client_id, redirect_uri: `${SITE1_URL}/auth/callback`, response_type: 'code', scope: 'openid email', state: 'who' });
	await page.goto(authorize);
	await expect(page.getByRole('heading', { level: 1, name: 'Allow Partner App to use your account?' })).toBeVisible();
	await expect(page.getByTestId('signed-in-as')).toContainText(`Signed in as ${DEMO_USER.name} (${DEMO_USER.email}) — not you?`);

	// The other person at the same browser: "Use another account".
	await page.getByRole('link', { name: 'Use another account' }).click();
	await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
	await expect(page.getByTestId('signed-in-as')).toContainText(`Signed in as ${DEMO_USER.name}`);
	await expect(page.getByTestId('requesting-app')).toContainText('to continue to Partner App');
	await page.getByLabel('Email').fill(other.email);
	await page.getByLabel('Password').fill(other.password);
	await page.getByRole('button', { name: 'Sign in', exact: true }).click();
	// Back at the same request's consent, now for the other person.
	await expect(page).toHaveURL((url) => originAndPath(url.href) === `${PROVIDER_URL}/auth/consent`);
	await expect(page.getByTestId('signed-in-as')).toContainText(`Signed in as ${other.name} (${other.email})`);
});

test('re-authentication (prompt=login) shows who is signed in', { tag: '@forms' }, async ({ page }) => {
	await signInAtProvider(page);
	await page.goto(
		authorizeURL({
			client_id: 'internal-dashboard',
			redirect_uri: `${SITE1_URL}/auth/callback`,
			response_type: 'code',
			scope: 'openid',
			state: 'r',
			prompt: 'login'
		})
	);
	await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
	await expect(page.getByTestId('signed-in-as')).toContainText(`Signed in as ${DEMO_USER.name} (${DEMO_USER.email}) — not you?`);
});

test('"Sign out?" names the applications that are signed out too; afterwards "You are signed out"', { tag: '@forms' }, async ({ page }) => {
	await signInOnBothSites(page);
	await page.goto(`${PROVIDER_URL}/auth/logout`);
	await expect(page).toHaveTitle('Sign out — SSO Provider');
	// Both demo sites registered back-channel logout and signed in with this session.
	await expect(page.getByTestId('signed-out-too').getByRole('listitem')).toHaveText(['Internal Dashboard', 'Team Wiki']);
	await page.getByRole('main').getByRole('button', { name: 'Sign out' }).click();
	await expect(page).toHaveURL(`${PROVIDER_URL}/auth/logout/done`);
	await expect(page.getByRole('heading', { level: 1, name: 'You are signed out' })).toBeVisible();
	// ... and it was true: both sites say so.
	for (const site of [SITE1_URL, SITE2_URL]) {
		await page.goto(site);
		await expect(page.getByRole('status')).toContainText('You were signed out everywhere.');
	}
});

test('"Sign out?" with no application signed in does not claim any will be signed out', { tag: '@forms' }, async ({ page }) => {
	await signInAtProvider(page);
	await page.goto(`${PROVIDER_URL}/auth/logout`);
	await expect(page.getByTestId('signed-out-too')).toHaveCount(0);
	await expect(page.getByRole('main')).toContainText('Applications you signed in to keep their own sessions');
});

test('a site signed out on its own does not claim "signed out everywhere"', { tag: '@forms' }, async ({ page }) => {
	await signInOnBothSites(page);
	await page.getByRole('button', { name: 'Sign out of Team Wiki' }).click();
	await expect(page.getByRole('button', { name: 'Sign in with SSO' })).toBeVisible();
	await expect(page.getByText('You were signed out everywhere.')).toHaveCount(0);
});

test('"Show password" reveals and hides the password and keeps the field a password field for managers', async ({ page }) => {
	await page.goto(`${PROVIDER_URL}/auth/login`);
	await scriptsLoaded(page);
	const password = page.getByLabel('Password');
	const toggle = page.getByRole('button', { name: 'Show password' });
	await expect(toggle).toHaveAttribute('aria-pressed', 'false');
	await password.fill(DEMO_USER.password);
	await toggle.click();
	await expect(toggle).toHaveAttribute('aria-pressed', 'true');
	await expect(password).toHaveAttribute('type', 'text');
	// Same field: id, name and autocomplete unchanged, so password managers keep filling it.
	await expect(password).toHaveAttribute('name', 'password');
	await expect(password).toHaveAttribute('autocomplete', 'current-password');
	await expect(password).toHaveValue(DEMO_USER.password);
	await toggle.press('Space');
	await expect(toggle).toHaveAttribute('aria-pressed', 'false');
	await expect(password).toHaveAttribute('type', 'password');
	// Shown while submitting still signs in, and the field is a password field again when sent.
	await toggle.click();
	await page.getByLabel('Email').fill(DEMO_USER.email);
	await page.getByRole('button', { name: 'Sign in', exact: true }).click();
	await expect(page).toHaveURL(`${PROVIDER_URL}/account`);
});

test(
	'without JavaScript there is no dead "Show password" button, and sign-in and sign-up still work',
	{ tag: '@forms' },
	async ({ page, javaScriptEnabled }) => {
		test.skip(javaScriptEnabled, 'the no-js project checks the page without scripts');
		await page.goto(`${PROVIDER_URL}/auth/signup`);
		await expect(page.getByRole('button', { name: 'Show password' })).toHaveCount(0);
		await page.goto(`${PROVIDER_URL}/auth/login`);
		await expect(page.getByRole('button', { name: 'Show password' })).toHaveCount(0);
		await submitSignIn(page, DEMO_USER.email, DEMO_USER.password);
		await expect(page).toHaveURL(`${PROVIDER_URL}/account`);
	}
);

test('Email is focused on the sign-in page, Name on the sign-up page', async ({ page }) => {
	await page.goto(`${PROVIDER_URL}/auth/login`);
	await expect(page.getByLabel('Email')).toBeFocused();
	await page.goto(`${PROVIDER_URL}/auth/signup`);
	await expect(page.getByLabel('Name')).toBeFocused();
});

test.describe("times in the reader's time zone", () => {
	test.use({ timezoneId: 'Asia/Tokyo', locale: 'en-US' });

	test('with JavaScript the account page shows local time; the exact instant stays in datetime', async ({ page }) => {
		await signInAtProvider(page);
		await scriptsLoaded(page);
		const signedInAt = page.locator('dd time').first();
		await expect(signedInAt).toContainText('GMT+9');
		const instant = new Date((await signedInAt.getAttribute('datetime'))!);
		expect(Math.abs(Date.now() - instant.getTime()), 'datetime is the sign-in instant').toBeLessThan(10 * 60_000);
	});

	test('without JavaScript the time is shown in UTC and says so', { tag: '@forms' }, async ({ page, javaScriptEnabled }) => {
		test.skip(javaScriptEnabled, 'the no-js project checks the page without scripts');
		await signInAtProvider(page);
		await expect(page.locator('dd time').first()).toHaveText(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
	});
});
