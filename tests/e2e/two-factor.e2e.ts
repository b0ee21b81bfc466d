// Two-step verification as a person meets it, against the production build: set it up (the QR
// code, or the key typed by hand), save the recovery codes, sign in to a demo site with the
// password and a code and see how the site was told (`amr`, `acr`), use a recovery code, turn
// it off; and a client asking for it with `acr_values`.
import { expect, test } from '@playwright/test';
import { decodeJwt } from 'jose';
import { createAccount } from './accounts';
import { expectAccessible } from './axe';
import { authorizeURL, claim, submitSignIn } from './helpers';
import { awayFromStepBoundary, confirmSetup, enrolTOTP, MULTI_FACTOR, openTwoFactorPage, startSetup, totpCode } from './two-factor';
import { PROVIDER_URL, SITE1_URL } from './urls';

test.describe('two-step verification', () => {
	test('set up, sign out, sign in to a demo site with password and code; the site sees pwd otp mfa', { tag: '@forms' }, async ({ page, request }) => {
		const account = await createAccount(request, page, 'totp-setup');
		await openTwoFactorPage(page, account.email, account.password);
		await expect(page.getByRole('main')).toContainText('Two-step verification is off.');
		await expectAccessible(page, 'two-step verification, off');

		const key = await startSetup(page);
		await expect(page.getByRole('img', { name: /QR code with the setup key/ })).toBeVisible();
		await expectAccessible(page, 'two-step verification setup');

		await test.step('a wrong code is refused beside the field; the setup stays', async () => {
			await page.getByLabel('6-digit code').fill(totpCode(key, 0) === '000000' ? '111111' : '000000');
			await page.getByRole('button', { name: 'Turn on two-step verification' }).click();
			await expect(page.getByLabel('6-digit code')).toHaveAttribute('aria-invalid', 'true');
			await expect(page.getByRole('alert')).toContainText('That code is not right.');
		});

		const codes = await confirmSetup(page, key);
		await expect(page.getByRole('link', { name: 'Download as text file' })).toHaveAttribute('download', 'recovery-codes.txt');
		await expectAccessible(page, 'recovery codes, shown once');
		await page.getByRole('link', { name: 'I have saved my codes' }).click();
		await expect(page.getByRole('main')).toContainText('Two-step verification is on');
		await expect(page.getByRole('main')).toContainText('10 of 10');
		expect(codes.every((c) => /^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/.test(c))).toBe(true);

		await page.context().clearCookies();
		await page.goto(SITE1_URL);
		await page.getByRole('button', { name: 'Sign in with SSO' }).click();
		await submitSignIn(page, account.email, account.password);
		await expect(page).toHaveURL(`${PROVIDER_URL}/auth/two-factor`);
		await expect(page.getByRole('heading', { level: 1, name: 'Two-step verification' })).toBeVisible();
		await expect(page.getByTestId('requesting-app')).toContainText('Internal Dashboard');
		await expect(page.getByLabel('6-digit code')).toHaveAttribute('autocomplete', 'one-time-code');
		await expect(page.getByLabel('6-digit code')).toHaveAttribute('inputmode', 'numeric');
		await expectAccessible(page, 'the code at sign-in');
		await awayFromStepBoundary();
		await page.getByLabel('6-digit code').fill(totpCode(key, 0));
		await page.getByRole('button', { name: 'Verify' }).click();
		await expect(page).toHaveURL(`${SITE1_URL}/`);
		await expect(claim(page, 'amr')).toHaveText('["pwd","otp","mfa"]');
		await expect(claim(page, 'acr')).toHaveText(MULTI_FACTOR);
	});

	test(
		'a recovery code signs in once; then two-step verification is turned off and sign-in asks only for the password',
		{ tag: '@forms' },
		async ({ page, request }) => {
			const account = await createAccount(request, page, 'totp-recovery');
			const { recoveryCodes } = await enrolTOTP(page, account);
			await page.context().clearCookies();

			await page.goto(`${PROVIDER_URL}/auth/login`);
			await submitSignIn(page, account.email, account.password);
			await expect(page).toHaveURL(`${PROVIDER_URL}/auth/two-factor`);
			await page.getByText('Lost your phone? Use a recovery code').click();
			await page.getByLabel('Recovery code').fill('aaaa-bbbb-cccc-dddd');
			await page.getByRole('button', { name: 'Use recovery code' }).click();
			await expect(page.getByRole('alert')).toContainText('That recovery code is not right, or was already used.');
			await expect(page.getByLabel('Recovery code')).toHaveAttribute('aria-invalid', 'true');
			await expectAccessible(page, 'a refused recovery code');
			await page.getByLabel('Recovery code').fill(recoveryCodes[0].toUpperCase());
			await page.getByRole('button', { name: 'Use recovery code' }).click();
			await expect(page).toHaveURL(`${PROVIDER_URL}/account`);
			await expect(page.getByRole('main')).toContainText('Two-step verification');

			await page.getByRole('link', { name: 'Manage two-step verification' }).click();
			await expect(page.getByRole('main')).toContainText('9 of 10');
			await page.getByRole('button', { name: 'Turn off two-step verification' }).click();
			await expect(page).toHaveURL(`${PROVIDER_URL}/account?notice=two-factor-off`);
			await expect(page.getByRole('status')).toContainText('Two-step verification is off.');

			await page.context().clearCookies();
			await page.goto(`${PROVIDER_URL}/auth/login`);
			await submitSignIn(page, account.email, account.password);
			await expect(page).toHaveURL(`${PROVIDER_URL}/account`);
		}
	);

	test('a client asks for two-step verification with acr_values: the signed-in user is asked for the code only', async ({ page, request }) => {
		const account = await createAccount(request, page, 'totp-step-up');
		const { key } = await enrolTOTP(page, account);
		const redirectURI = `${SITE1_URL}/auth/callback`;
		// The code goes to the demo site's callback; caught here and redeemed like a client would.
		await page.route(`${redirectURI}?**`, (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: 'caught' }));
		await page.goto(
			authorizeURL({
				client_id: 'internal-dashboard',
				redirect_uri: redirectURI,
				response_type: 'code',
				scope: 'openid',
				state: 'step-up',
				acr_values: MULTI_FACTOR
			})
		);
		await expect(page).toHaveURL(new RegExp(`^${PROVIDER_URL}/auth/two-factor\\?`));
		await expect(page.getByRole('main')).toContainText('Internal Dashboard asks for two-step verification.');
		await expect(page.getByLabel('Password')).toHaveCount(0);
		await expectAccessible(page, 'step-up for an application');
		await awayFromStepBoundary();
		await page.getByLabel('6-digit code').fill(totpCode(key, 0));
		await page.getByRole('button', { name: 'Verify' }).click();
		await page.waitForURL((url) => url.href.startsWith(redirectURI));
		const code = new URL(page.url()).searchParams.get('code')!;
		const tokens = await request.post(`${PROVIDER_URL}/api/auth/token`, {
			form: {
				grant_type: 'authorization_code',
				code,
				redirect_uri: redirectURI,
				client_id: 'internal-dashboard',
				client_secret: 'secret-for-internal-dashboard'
			}
		});
		expect(tokens.status()).toBe(200);
		const claims = decodeJwt(((await tokens.json()) as { id_token: string }).id_token);
		expect(claims.acr).toBe(MULTI_FACTOR);
		expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
	});
});
