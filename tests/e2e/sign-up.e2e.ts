import { expect, test } from '@playwright/test';
import { expectAccessible } from './axe';
import { claim, uniqueEmail, startSignInAtSite } from './helpers';
import { nextMail } from './mail';
import { PROVIDER_URL, SITE1_URL } from './urls';

// Tagged @forms: the journey also runs in the `no-js` project (every form is a plain POST form).

/** The confirmation link in the newest sign-up mail to `email`. */
async function confirmationLink(email: string): Promise<string> {
	const mail = await nextMail(email, { subject: /^Confirm your email address/ });
	const link = mail.links.find((l) => l.startsWith(`${PROVIDER_URL}/auth/verify-email?token=`));
	expect(link, mail.text).toBeTruthy();
	return link!;
}

test.describe('sign-up by mailed link', () => {
	test(
		'from a demo site: create an account, confirm the mailed link, and arrive back signed in with a verified address',
		{ tag: '@forms' },
		async ({ page }) => {
			const email = uniqueEmail('journey');

			await test.step('demo site 1 → Sign in → Create an account', async () => {
				await startSignInAtSite(page);
				await page.getByRole('link', { name: 'Create an account' }).click();
				await expect(page.getByRole('heading', { level: 1, name: 'Create your account' })).toBeVisible();
			});

			await test.step('the form answers "Check your inbox", naming the address and what to do if nothing arrives', async () => {
				await page.getByLabel('Name').fill('Grace Journey');
				await page.getByLabel('Email').fill(email);
				await page.getByLabel('Password').fill('a long journey passphrase');
				await page.getByRole('button', { name: 'Create account' }).click();
				await expect(page.getByRole('heading', { level: 1, name: 'Check your inbox' })).toBeVisible();
				await expect(page.getByRole('status')).toContainText(email);
				await expect(page.getByRole('heading', { level: 2, name: 'Nothing arrived?' })).toBeVisible();
				await expect(page.getByRole('link', { name: 'sign up again' })).toHaveAttribute('href', /^\/auth\/signup\?return_to=%2Fapi%2Fauth%2Fauthorize/);
				await expectAccessible(page, 'the "Check your inbox" page');
			});

			const link = await confirmationLink(email);

			await test.step('the mailed link opens a confirmation page; nothing happens until its button is pressed', async () => {
				await page.goto(link);
				await expect(page.getByRole('heading', { level: 1, name: 'Confirm your email address' })).toBeVisible();
				await expect(page.getByRole('main')).toContainText(email);
				await expectAccessible(page, 'the sign-up confirmation page');
			});

			await test.step('Confirm and sign in → back on the demo site, signed in, email_verified true', async () => {
				await page.getByRole('button', { name: 'Confirm and sign in' }).click();
				await expect(page).toHaveURL(`${SITE1_URL}/`);
				await expect(page.getByRole('heading', { level: 2, name: 'Welcome, Grace Journey' })).toBeVisible();
				await expect(claim(page, 'email')).toHaveText(email);
				await expect(claim(page, 'email_verified')).toHaveText('true');
			});

			await test.step('the used link now says it cannot be used, with a way forward', async () => {
				await page.goto(link);
				await expect(page.getByRole('heading', { level: 1, name: 'This link cannot be used' })).toBeVisible();
				await expect(page.getByRole('link', { name: 'Sign up again' })).toBeVisible();
				await expect(page.getByRole('link', { name: 'Sign in', exact: true }).last()).toBeVisible();
				await expectAccessible(page, 'the used/expired confirmation link page');
			});
		}
	);

	test('an address that already has an account gets the same "Check your inbox"; its owner is told by mail', { tag: '@forms' }, async ({ page, context }) => {
		const email = uniqueEmail('taken');
		await page.goto(`${PROVIDER_URL}/auth/signup`);
		await page.getByLabel('Name').fill('First Owner');
		await page.getByLabel('Email').fill(email);
		await page.getByLabel('Password').fill('the owner passphrase');
		await page.getByRole('button', { name: 'Create account' }).click();
		await page.goto(await confirmationLink(email));
		await page.getByRole('button', { name: 'Confirm and sign in' }).click();
		await expect(page).toHaveURL(`${PROVIDER_URL}/account`);
		await context.clearCookies();

		await page.goto(`${PROVIDER_URL}/auth/signup`);
		await page.getByLabel('Name').fill('Someone Else');
		await page.getByLabel('Email').fill(email);
		await page.getByLabel('Password').fill('someone elses passphrase');
		await page.getByRole('button', { name: 'Create account' }).click();
		await expect(page.getByRole('heading', { level: 1, name: 'Check your inbox' })).toBeVisible();
		await expect(page.getByRole('status')).toContainText(email);
		expect((await context.cookies(PROVIDER_URL)).map((c) => c.name)).not.toContain('op_session');
		const notice = await nextMail(email, { subject: /^Someone tried to create an account with your address/ });
		expect(notice.links).toContain(`${PROVIDER_URL}/auth/forgot-password`);
	});

	test('a confirmation link that was never issued shows a styled page, not an error', { tag: '@forms' }, async ({ page }) => {
		const response = await page.goto(`${PROVIDER_URL}/auth/verify-email?token=abc.def`);
		expect(response?.status()).toBe(200);
		await expect(page.getByRole('heading', { level: 1, name: 'This link cannot be used' })).toBeVisible();
		await page.getByRole('link', { name: 'Sign up again' }).click();
		await expect(page.getByRole('heading', { level: 1, name: 'Create your account' })).toBeVisible();
	});
});
