import { expect, test, type CDPSession, type Page } from '@playwright/test';
import { TestAuthenticator } from '../support/authenticator';
import { createAccount, tabTo, pressByKeyboard } from './accounts';
import { expectAccessible } from './axe';
import { claim, scriptsLoaded, submitSignIn, javaScriptOn, startSignInAtSite } from './helpers';
import { PROVIDER_URL, SITE1_URL } from './urls';

// Passkeys with Chromium's virtual authenticator (DevTools protocol, WebAuthn domain): a
// platform authenticator with resident keys and user verification, as a laptop's fingerprint
// reader would be. The ceremony always runs on the provider's origin, also when the demo sites
// are on 127.0.0.1. Tagged @forms: the list, rename and remove also run without JavaScript.

async function addVirtualAuthenticator(page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
	const cdp = await page.context().newCDPSession(page);
	await cdp.send('WebAuthn.enable');
	const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
		options: {
			protocol: 'ctap2',
			transport: 'internal',
			hasResidentKey: true,
			hasUserVerification: true,
			isUserVerified: true,
			automaticPresenceSimulation: true
		}
	});
	return { cdp, authenticatorId };
}

async function signInWithPassword(page: Page, email: string, password: string, returnTo = '/account') {
	await page.goto(`${PROVIDER_URL}/auth/login?prompt=login&return_to=${encodeURIComponent(returnTo)}`);
	await submitSignIn(page, email, password);
	await expect(page).toHaveURL(`${PROVIDER_URL}${returnTo}`);
}

/**
 * Chromium's virtual authenticator answers a conditional (autofill) request at once, as if the
 * person had picked the passkey from the email field's list: switched off where a journey
 * presses the button instead.
 */
async function withoutAutofillRequests(page: Page): Promise<void> {
	await page.addInitScript(() => {
		Object.defineProperty(PublicKeyCredential, 'isConditionalMediationAvailable', { value: async () => false });
	});
}

/**
 * Adds a passkey made by a software authenticator through the provider's own endpoints (the
 * options, then the console's form action), with the page's session: the server makes every check.
 */
async function registerOverHTTP(page: Page, name: string): Promise<TestAuthenticator> {
	const options = await (await page.request.post(`${PROVIDER_URL}/api/auth/passkey/registration-options`, { headers: { origin: PROVIDER_URL } })).json();
	const authenticator = new TestAuthenticator({ id: new URL(PROVIDER_URL).hostname, origin: PROVIDER_URL });
	const response = authenticator.register(options);
	const added = await page.request.post(`${PROVIDER_URL}/account/passkeys?/add`, {
		headers: { origin: PROVIDER_URL },
		form: {
			name,
			client_data_json: Buffer.from(response.clientDataJSON).toString('base64url'),
			attestation_object: Buffer.from(response.attestationObject).toString('base64url')
		},
		maxRedirects: 0
	});
	expect(added.headers().location).toBe('/account/passkeys?notice=passkey-added');
	return authenticator;
}

test.describe('passkeys', () => {
	test.describe.configure({ timeout: 90_000 });

	test('register in the console by keyboard, sign in to a demo site with the passkey alone, see amr; remove it', async ({ page, request }) => {
		test.skip(!javaScriptOn(), 'the WebAuthn API needs JavaScript');
		const account = await createAccount(request, page, 'passkey');
		await withoutAutofillRequests(page);
		const { cdp, authenticatorId } = await addVirtualAuthenticator(page);
		await signInWithPassword(page, account.email, account.password);

		await test.step('"Manage passkeys" on the account page; the list is empty', async () => {
			const link = page.getByRole('link', { name: 'Manage passkeys' });
			await tabTo(page, link);
			await page.keyboard.press('Enter');
			await expect(page).toHaveURL(`${PROVIDER_URL}/account/passkeys`);
			await expect(page.getByRole('heading', { level: 1, name: 'Passkeys' })).toBeVisible();
			await expect(page.getByText('You have no passkeys yet.')).toBeVisible();
			await expectAccessible(page, 'the passkeys page, none yet');
		});

		await test.step('add one by keyboard: the name suggests the browser, the device makes the key', async () => {
			await scriptsLoaded(page);
			const name = page.getByLabel('Passkey name');
			await expect(name).toHaveValue(/ on /);
			await name.fill('E2E laptop');
			const button = page.getByRole('button', { name: 'Add a passkey' });
			await pressByKeyboard(page, button);
			await expect(page).toHaveURL(`${PROVIDER_URL}/account/passkeys?notice=passkey-added`);
			await expect(page.getByRole('status')).toContainText('Passkey added.');
			await expect(page.getByRole('heading', { level: 3, name: 'E2E laptop' })).toBeVisible();
			await expectAccessible(page, 'the passkeys page with one passkey');
			const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
			expect(credentials).toHaveLength(1);
			expect(credentials[0].isResidentCredential).toBe(true);
			expect(credentials[0].rpId).toBe(new URL(PROVIDER_URL).hostname);
		});

		await test.step('the same device cannot add a second passkey for the account (excludeCredentials)', async () => {
			await scriptsLoaded(page);
			await page.getByRole('button', { name: 'Add a passkey' }).click();
			const error = page.locator('#add-error');
			await expect(error).toContainText('This device already has a passkey for your account.');
			await expect(error).toBeFocused();
		});

		await test.step('signed out, the demo site signs in with the passkey only: no password typed', async () => {
			await page.context().clearCookies();
			await startSignInAtSite(page);
			await scriptsLoaded(page);
			const passkeyButton = page.getByRole('button', { name: 'Sign in with a passkey' });
			await tabTo(page, passkeyButton);
			await page.keyboard.press('Enter');
			await expect(page).toHaveURL(`${SITE1_URL}/`);
			await expect(page.getByRole('heading', { level: 2, name: `Welcome, ${account.name}` })).toBeVisible();
			await expect(claim(page, 'amr')).toContainText('hwk');
			await expect(claim(page, 'amr')).toContainText('mfa');
		});

		await test.step('the console shows when it was last used, and removes it', async () => {
			await page.goto(`${PROVIDER_URL}/account/passkeys`);
			const item = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'E2E laptop' }) });
			await expect(item.getByRole('definition').nth(2)).not.toHaveText('Never');
			await page.getByRole('button', { name: 'Remove E2E laptop' }).click();
			await expect(page).toHaveURL(`${PROVIDER_URL}/account/passkeys?notice=passkey-removed`);
			await expect(page.getByText('You have no passkeys yet.')).toBeVisible();
		});

		await test.step('the removed passkey no longer signs in: the page says so beside the button, with the focus there', async () => {
			await page.context().clearCookies();
			await page.goto(`${PROVIDER_URL}/auth/login`);
			await scriptsLoaded(page);
			await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
			const error = page.locator('#passkey-error');
			await expect(error).toContainText('This passkey is not registered here');
			await expect(error).toBeFocused();
			await expectAccessible(page, 'the sign-in page with a refused passkey');
			await expect(page).toHaveURL(`${PROVIDER_URL}/auth/login`);
		});
	});

	test('a cancelled dialog is explained beside the button', async ({ page }) => {
		test.skip(!javaScriptOn(), 'the WebAuthn API needs JavaScript');
		await withoutAutofillRequests(page);
		await page.goto(`${PROVIDER_URL}/auth/login`);
		await scriptsLoaded(page);
		// The browser's answer when the person presses "Cancel" in its dialog (WebAuthn §5.1.4.1).
		await page.evaluate(() => {
			const original = navigator.credentials.get.bind(navigator.credentials);
			navigator.credentials.get = (options?: CredentialRequestOptions) =>
				options?.mediation === 'conditional' ? original(options) : Promise.reject(new DOMException('cancelled', 'NotAllowedError'));
		});
		await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
		const error = page.locator('#passkey-error');
		await expect(error).toContainText('No passkey was used: the dialog was closed or timed out.');
		await expect(error).toBeFocused();
	});

	test('the email field offers the passkey (conditional mediation): picking it signs in', async ({ page, request }) => {
		test.skip(!javaScriptOn(), 'the WebAuthn API needs JavaScript');
		const account = await createAccount(request, page, 'passkey-autofill');
		await signInWithPassword(page, account.email, account.password, '/account/passkeys');
		// The key is made here (registered through the provider's own endpoints), then put into the
		// virtual authenticator as the resident credential it would have made.
		const authenticator = await registerOverHTTP(page, 'Autofill key');
		const { cdp, authenticatorId } = await addVirtualAuthenticator(page);
		await cdp.send('WebAuthn.addCredential', {
			authenticatorId,
			credential: {
				credentialId: Buffer.from(authenticator.credentialId).toString('base64'),
				isResidentCredential: true,
				rpId: new URL(PROVIDER_URL).hostname,
				privateKey: authenticator.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
				userHandle: Buffer.from(authenticator.userHandle!).toString('base64'),
				signCount: 0
			}
		});
		await page.context().clearCookies();
		// Checked in the page as served: in the browser the virtual authenticator answers the
		// autofill request at once, and the page may already have moved on to /account.
		const served = await (await request.get(`${PROVIDER_URL}/auth/login?return_to=%2Faccount`)).text();
		expect(served).toContain('autocomplete="username webauthn"');
		await page.goto(`${PROVIDER_URL}/auth/login?return_to=%2Faccount`);
		await expect(page).toHaveURL(`${PROVIDER_URL}/account`);
		await expect(page.getByRole('heading', { level: 1, name: 'Your account' })).toBeVisible();
	});

	test('without JavaScript the pages say a passkey needs it; rename and remove work as forms', { tag: '@forms' }, async ({ page, request }) => {
		const account = await createAccount(request, page, 'passkey-forms');
		await signInWithPassword(page, account.email, account.password, '/account/passkeys');
		// Registered over HTTP with a software authenticator, so that this journey also runs in the no-js project.
		await registerOverHTTP(page, 'Hardware key');
		await page.reload();
		await expect(page.getByRole('heading', { level: 3, name: 'Hardware key' })).toBeVisible();
		if (!javaScriptOn()) {
			await expect(page.getByText('Adding a passkey needs JavaScript')).toBeVisible();
			await expect(page.getByRole('button', { name: 'Add a passkey' })).toHaveCount(0);
		}

		await test.step('an empty name is refused beside the field', async () => {
			const field = page.getByRole('textbox', { name: 'New name for Hardware key' });
			await field.evaluate((input) => (input as HTMLInputElement).removeAttribute('required'));
			await field.fill('');
			await field.press('Enter');
			await expect(page.getByRole('textbox', { name: 'New name for Hardware key' })).toHaveAttribute('aria-invalid', 'true');
			await expect(page.getByRole('textbox', { name: 'New name for Hardware key' })).toHaveAccessibleDescription(/Enter a name for the passkey/);
		});

		await test.step('rename by keyboard', async () => {
			await page.getByRole('textbox', { name: 'New name for Hardware key' }).fill('Blue key');
			await page.getByRole('textbox', { name: 'New name for Hardware key' }).press('Enter');
			await expect(page).toHaveURL(`${PROVIDER_URL}/account/passkeys?notice=passkey-renamed`);
			await expect(page.getByRole('heading', { level: 3, name: 'Blue key' })).toBeVisible();
		});

		await test.step('remove by keyboard', async () => {
			const remove = page.getByRole('button', { name: 'Remove Blue key' });
			await tabTo(page, remove);
			await page.keyboard.press('Enter');
			await expect(page).toHaveURL(`${PROVIDER_URL}/account/passkeys?notice=passkey-removed`);
			await expect(page.getByText('You have no passkeys yet.')).toBeVisible();
		});

		await test.step('the sign-in page explains the passkey button', async () => {
			await page.context().clearCookies();
			await page.goto(`${PROVIDER_URL}/auth/login`);
			if (javaScriptOn()) {
				await scriptsLoaded(page);
				await expect(page.getByRole('button', { name: 'Sign in with a passkey' })).toBeVisible();
			} else {
				await expect(page.getByText('Signing in with a passkey needs JavaScript.')).toBeVisible();
				await expect(page.getByRole('button', { name: 'Sign in with a passkey' })).toHaveCount(0);
			}
		});
	});
});
