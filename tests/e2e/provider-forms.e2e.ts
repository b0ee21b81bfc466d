import { expect, test } from '@playwright/test';
import { scriptsLoaded, skipBrowserValidation, submitSignIn, uniqueEmail } from './helpers';
import { nextMail } from './mail';
import { DEMO_USER, PROVIDER_URL } from './urls';

// Tagged @forms: these also run in the `no-js` project, because every form must work
// without JavaScript (use:enhance adds, never replaces).

test.describe('provider sign-up', () => {
	test('shows field errors next to the field, then mails a link that creates the account and signs in', { tag: '@forms' }, async ({ page, context }) => {
		const email = uniqueEmail('signup');
		await page.goto(`${PROVIDER_URL}/auth/signup`);
		await expect(page.getByRole('heading', { level: 1, name: 'Create your account' })).toBeVisible();

		const name = page.getByLabel('Name');
		const emailField = page.getByLabel('Email');
		const password = page.getByLabel('Password');

		await test.step('a short password is held back by the browser', async () => {
			await name.fill('Ada Lovelace');
			await emailField.fill(email);
			await password.fill('short');
			await page.getByRole('button', { name: 'Create account' }).click();
			await expect(page).toHaveURL(`${PROVIDER_URL}/auth/signup`);
			expect(await password.evaluate((el) => (el as HTMLInputElement).validity.tooShort)).toBe(true);
		});

		await test.step('... and refused by the server, with the message next to the field', async () => {
			await skipBrowserValidation(page);
			await page.getByRole('button', { name: 'Create account' }).click();
			await expect(password).toHaveAttribute('aria-invalid', 'true');
			await expect(password).toHaveAccessibleDescription('Use at least 8 characters.');
			await expect(page.getByText('Use at least 8 characters.')).toBeVisible();
			// What the user typed is kept (except the password).
			await expect(name).toHaveValue('Ada Lovelace');
			await expect(emailField).toHaveValue(email);
			await expect(emailField).not.toHaveAttribute('aria-invalid', 'true');
		});

		await test.step('a common password is refused next to the field (NIST SP 800-63B §5.1.1.2)', async () => {
			await password.fill('password1');
			await page.getByRole('button', { name: 'Create account' }).click();
			await expect(password).toHaveAttribute('aria-invalid', 'true');
			await expect(password).toHaveAccessibleDescription(/one of the most common ones/);
			await expect(page).toHaveURL(`${PROVIDER_URL}/auth/signup`);
		});

		await test.step('valid details send a confirmation link; confirming it creates the account and lands on /account', async () => {
			await password.fill('long enough password');
			await page.getByRole('button', { name: 'Create account' }).click();
			await expect(page.getByRole('heading', { level: 1, name: 'Check your inbox' })).toBeVisible();
			expect((await context.cookies(PROVIDER_URL)).map((c) => c.name)).not.toContain('op_session');
			const mail = await nextMail(email, { subject: /^Confirm your email address/ });
			await page.goto(mail.links.find((l) => l.includes('/auth/verify-email?token='))!);
			await page.getByRole('button', { name: 'Confirm and sign in' }).click();
			await expect(page).toHaveURL(`${PROVIDER_URL}/account`);
			await expect(page.getByRole('heading', { level: 1, name: 'Your account' })).toBeVisible();
			await expect(page.getByRole('main').getByLabel('Name')).toHaveValue('Ada Lovelace');
			await expect(page.getByRole('main')).toContainText(email);
		});

		await test.step('the session cookie is httpOnly and SameSite=Lax', async () => {
			const cookies = await context.cookies(PROVIDER_URL);
			const session = cookies.find((c) => c.name === 'op_session');
			expect(session, 'op_session cookie').toBeDefined();
			expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
			expect(session!.expires, 'a persistent cookie with an expiry').toBeGreaterThan(Date.now() / 1000);
			// Page scripts cannot read it.
			if (test.info().project.use.javaScriptEnabled !== false) {
				expect(await page.evaluate(() => document.cookie)).not.toContain('op_session');
			}
		});

		await test.step('signing out says so and ends the session', async () => {
			await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
			await expect(page).toHaveURL(`${PROVIDER_URL}/auth/logout/done`);
			await expect(page.getByRole('heading', { level: 1, name: 'You are signed out' })).toBeVisible();
			expect((await context.cookies(PROVIDER_URL)).map((c) => c.name)).not.toContain('op_session');
			await page.goto(`${PROVIDER_URL}/account`);
			await expect(page).toHaveURL(/\/auth\/login\?/);
		});

		await test.step('the new account can sign in again', async () => {
			await submitSignIn(page, email, 'long enough password');
			await expect(page).toHaveURL(`${PROVIDER_URL}/account`);
			await expect(page.getByRole('main').getByLabel('Name')).toHaveValue('Ada Lovelace');
		});
	});
});

test.describe('provider sign-in', () => {
	test('a wrong password says so and keeps the typed email', { tag: '@forms' }, async ({ page, context }) => {
		await page.goto(`${PROVIDER_URL}/auth/login`);
		await submitSignIn(page, DEMO_USER.email, 'not-the-password');
		await expect(page.getByRole('alert')).toHaveText('Email or password is incorrect.');
		await expect(page).toHaveURL(`${PROVIDER_URL}/auth/login`);
		await expect(page.getByLabel('Email')).toHaveValue(DEMO_USER.email);
		expect((await context.cookies(PROVIDER_URL)).map((c) => c.name)).not.toContain('op_session');

		// The right password on the same page then works.
		await page.getByLabel('Password').fill(DEMO_USER.password);
		await page.getByRole('button', { name: 'Sign in', exact: true }).click();
		await expect(page).toHaveURL(`${PROVIDER_URL}/account`);
		await expect(page.getByRole('main').getByLabel('Name')).toHaveValue(DEMO_USER.name);
	});

	for (const returnTo of ['https://evil.example/phish', '//evil.example/phish', '/\\evil.example/phish', '/\t/evil.example/phish']) {
		test(`signing in never continues off the provider (return_to=${JSON.stringify(returnTo)})`, { tag: '@forms' }, async ({ page }) => {
			const hits: string[] = [];
			await page.context().route(
				(url) => url.hostname === 'evil.example',
				async (route) => {
					hits.push(route.request().url());
					await route.abort('blockedbyclient');
				}
			);
			await page.goto(`${PROVIDER_URL}/auth/login?${new URLSearchParams({ return_to: returnTo })}`);
			await submitSignIn(page, DEMO_USER.email, DEMO_USER.password);
			await expect(page).toHaveURL(`${PROVIDER_URL}/account`);
			await expect(page.getByRole('heading', { level: 1, name: 'Your account' })).toBeVisible();
			expect(hits, 'requests to evil.example').toEqual([]);
		});
	}

	test('empty fields get their own messages next to the field', { tag: '@forms' }, async ({ page }) => {
		await page.goto(`${PROVIDER_URL}/auth/login`);
		await skipBrowserValidation(page);
		await page.getByRole('button', { name: 'Sign in', exact: true }).click();
		await expect(page.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true');
		await expect(page.getByLabel('Email')).toHaveAccessibleDescription('Enter your email address.');
		await expect(page.getByLabel('Password')).toHaveAttribute('aria-invalid', 'true');
		await expect(page.getByLabel('Password')).toHaveAccessibleDescription('Enter your password.');
		await expect(page.getByText('Email or password is incorrect.')).toHaveCount(0);
	});

	test('keyboard: Tab reaches Email, Password, Show password and Sign in, in that order, with a visible focus outline', async ({ page }) => {
		await page.goto(`${PROVIDER_URL}/auth/login`);
		await scriptsLoaded(page); // the Show password toggle exists once scripts run
		const email = page.getByLabel('Email');
		const outlineStyle = () =>
			page.evaluate(() => {
				const el = document.activeElement;
				return el ? getComputedStyle(el).outlineStyle : 'none';
			});
		const outlineWidth = () =>
			page.evaluate(() => {
				const el = document.activeElement;
				return el ? parseFloat(getComputedStyle(el).outlineWidth) : 0;
			});

		// The top bar's links come first; Email must be reached within a few presses.
		let presses = 0;
		while (!(await email.evaluate((el) => el === document.activeElement)) && presses < 10) {
			await page.keyboard.press('Tab');
			presses++;
		}
		const toggle = page.getByRole('button', { name: 'Show password' });
		for (const target of [email, page.getByLabel('Password'), toggle, page.getByRole('button', { name: 'Sign in', exact: true })]) {
			if (target !== email) await page.keyboard.press('Tab');
			await expect(target).toBeFocused();
			expect(await outlineStyle()).not.toBe('none');
			expect(await outlineWidth()).toBeGreaterThan(0);
		}
	});
});
