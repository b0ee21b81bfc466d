// Flows that never strand a person (issue #8): two tabs signing in to one site both finish, a
// finished flow's callback lands on the site with a notice, a double click makes one session,
// forms show that they are working, and the sign-in pages show which app asked, with its logo.
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { createAccount, type Account } from './accounts';
import { expectNoAxeViolations } from './axe';
import { authorizeURL, scriptsLoaded, submitSignIn, startSignInAtSite, javaScriptOn } from './helpers';
import { PROVIDER_URL, SITE1_URL } from './urls';

function welcome(page: Page, account: Account) {
	return page.getByRole('heading', { level: 2, name: `Welcome, ${account.name}` });
}

/**
 * A fresh account that no browser is signed in to: creating it may leave a session (the
 * sign-up's own, or the confirmation link's), which would be counted with the ones under test.
 */
async function accountWithoutSessions(request: APIRequestContext, page: Page, label: string): Promise<Account> {
	const account = await createAccount(request, page, label);
	await page.goto(`${PROVIDER_URL}/auth/login`);
	await submitSignIn(page, account.email, account.password);
	await expect(page).toHaveURL(`${PROVIDER_URL}/account`);
	const others = page.getByRole('button', { name: 'Sign out all other sessions' });
	if (await others.count()) {
		await others.click();
		await expect(listedSessions(page)).toHaveCount(1);
	}
	await page.goto(`${PROVIDER_URL}/auth/logout`);
	await page.getByRole('main').getByRole('button', { name: 'Sign out' }).click();
	await expect(page).toHaveURL(`${PROVIDER_URL}/auth/logout/done`);
	return account;
}

/** The sessions listed on the account console. */
function listedSessions(page: Page) {
	return page.getByRole('region', { name: 'Where you are signed in' }).getByRole('heading', { level: 3 });
}

test.describe('sign-in flows', () => {
	test('two tabs start a sign-in on one site; the second finishes, then the first finishes too', { tag: '@forms' }, async ({ context, page, request }) => {
		const account = await createAccount(request, page, 'two-tabs');
		const tabA = page;
		const tabB = await context.newPage();

		await startSignInAtSite(tabA);
		await startSignInAtSite(tabB);

		// Tab B's callback URL, to replay it later as a reload or a back button would.
		let callbackB = '';
		tabB.on('request', (r) => {
			if (r.url().startsWith(`${SITE1_URL}/auth/callback`)) callbackB = r.url();
		});
		await submitSignIn(tabB, account.email, account.password);
		await expect(tabB).toHaveURL(`${SITE1_URL}/`);
		await expect(welcome(tabB, account)).toBeVisible();

		// Tab A's sign-in page is still the one it opened before B finished.
		await submitSignIn(tabA, account.email, account.password);
		await expect(tabA).toHaveURL(`${SITE1_URL}/`);
		await expect(welcome(tabA, account)).toBeVisible();

		await test.step("the finished flow's callback again (a reload): the site, signed in, with a notice", async () => {
			expect(callbackB).toContain('state=');
			await tabB.goto(callbackB);
			await expect(tabB).toHaveURL(`${SITE1_URL}/?notice=sign-in-not-pending`);
			await expect(welcome(tabB, account)).toBeVisible();
			await expect(tabB.getByTestId('sign-in-not-pending')).toContainText('You are already signed in.');
			await expect(tabB.getByRole('heading', { name: 'Sign-in failed' })).toHaveCount(0);
		});
	});

	test('a double click on "Sign in" leaves exactly one session', { tag: '@forms' }, async ({ page, request }) => {
		const account = await accountWithoutSessions(request, page, 'double-click');
		await page.goto(`${PROVIDER_URL}/auth/login`);
		if (javaScriptOn()) await scriptsLoaded(page);
		await page.getByLabel('Email').fill(account.email);
		await page.getByLabel('Password').fill(account.password);
		await page.getByRole('button', { name: 'Sign in', exact: true }).dblclick();
		await expect(page).toHaveURL(`${PROVIDER_URL}/account`);
		await expect(listedSessions(page)).toHaveCount(1);
		await expect(listedSessions(page)).toHaveText(/This device$/);
	});

	test('while signing in the button says so, is busy and disabled, and a second press sends nothing', async ({ page, request }) => {
		const account = await accountWithoutSessions(request, page, 'busy');
		const posts: string[] = [];
		let release!: () => void;
		const held = new Promise<void>((resolve) => (release = resolve));
		await page.route(`${PROVIDER_URL}/auth/login*`, async (route) => {
			if (route.request().method() !== 'POST') return route.continue();
			posts.push(route.request().url());
			await held;
			await route.continue();
		});
		await page.goto(`${PROVIDER_URL}/auth/login`);
		await scriptsLoaded(page);
		await page.getByLabel('Email').fill(account.email);
		await page.getByLabel('Password').fill(account.password);
		await page.getByLabel('Password').press('Enter');

		const busy = page.getByRole('button', { name: 'Signing in…' });
		await expect(busy).toHaveAttribute('aria-busy', 'true');
		await expect(busy).toBeDisabled();
		await expect(page.locator('form[aria-busy="true"] [aria-live="polite"]')).toHaveText('Signing in…');
		// Enter again, as an impatient keyboard user would: the form is not sent twice.
		await page.getByLabel('Password').press('Enter');
		expect(posts).toHaveLength(1);

		release();
		await expect(page).toHaveURL(`${PROVIDER_URL}/account`);
		expect(posts).toHaveLength(1);
		await expect(listedSessions(page)).toHaveCount(1);
	});

	test('a wrong password ends the busy state: the button is back, with the error beside it', async ({ page }) => {
		await page.goto(`${PROVIDER_URL}/auth/login`);
		await scriptsLoaded(page);
		await submitSignIn(page, 'nobody-here@example.com', 'not the password');
		await expect(page.getByRole('alert')).toContainText('Email or password is incorrect.');
		const button = page.getByRole('button', { name: 'Sign in', exact: true });
		await expect(button).toBeEnabled();
		await expect(button).not.toHaveAttribute('aria-busy');
	});
});

test.describe('which app asked, with its logo', () => {
	const dashboardAuthorize = (extra: Record<string, string> = {}) =>
		authorizeURL({
			client_id: 'internal-dashboard',
			redirect_uri: `${SITE1_URL}/auth/callback`,
			response_type: 'code',
			scope: 'openid profile email',
			state: 'logo-test',
			...extra
		});

	/** The logo is shown at its fixed size and the browser actually loaded it (the page's CSP allowed its origin). */
	async function expectLoadedLogo(page: Page, size: number): Promise<void> {
		const logo = page.getByTestId('app-logo');
		await expect(logo).toHaveAttribute('src', `${SITE1_URL}/logo.svg`);
		await expect(logo).toHaveAttribute('alt', '');
		await expect.poll(() => logo.evaluate((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0)).toBe(true);
		const box = await logo.boundingBox();
		expect(box && [Math.round(box.width), Math.round(box.height)]).toEqual([size, size]);
	}

	test("the sign-in and consent pages show the Internal Dashboard's logo beside its name, accessibly", async ({ page }) => {
		const csp: string[] = [];
		page.on('console', (message) => {
			if (/Content Security Policy/i.test(message.text())) csp.push(message.text());
		});
		await page.goto(dashboardAuthorize());
		await expect(page.getByTestId('requesting-app')).toContainText('to continue to Internal Dashboard');
		await expectLoadedLogo(page, 40);
		await expectNoAxeViolations(page, "sign-in page with the app's logo");

		await submitSignIn(page, 'demo@example.com', 'DemoPass123!');
		await expect(page).toHaveURL(new RegExp(`^${SITE1_URL}/`));
		// prompt=consent asks even for this trusted site.
		await page.goto(dashboardAuthorize({ prompt: 'consent' }));
		await expect(page.getByRole('heading', { level: 1, name: 'Allow Internal Dashboard to use your account?' })).toBeVisible();
		await expectLoadedLogo(page, 48);
		await expectNoAxeViolations(page, "consent page with the app's logo");
		expect(csp).toEqual([]);
	});

	test('a logo that cannot be loaded leaves a working page: no broken image, and signing in works', async ({ page }) => {
		await page.route(`${SITE1_URL}/logo.svg`, (route) => route.abort());
		await page.goto(dashboardAuthorize());
		await expect(page.getByTestId('requesting-app')).toContainText('to continue to Internal Dashboard');
		await expect(page.getByTestId('app-logo')).toHaveCount(0);
		await expectNoAxeViolations(page, 'sign-in page whose app logo failed');
		await submitSignIn(page, 'demo@example.com', 'DemoPass123!');
		await expect(page).toHaveURL(new RegExp(`^${SITE1_URL}/`));
	});

	test("the page allows images from the logo's origin only, and scripts from its own only", async ({ page }) => {
		const response = await page.goto(dashboardAuthorize());
		const policy = response!.headers()['content-security-policy'];
		expect(policy).toMatch(new RegExp(`img-src 'self' ${new URL(SITE1_URL).origin.replace(/[.]/g, '\\.')}(;|$)`));
		expect(policy).toMatch(/script-src 'self'/);
		expect(policy).not.toMatch(/script-src[^;]*(\*|https?:|'unsafe-inline')/);
		const plain = await page.goto(`${PROVIDER_URL}/auth/login`);
		expect(plain!.headers()['content-security-policy']).toMatch(/img-src 'self'(;|$)/);
	});
});
