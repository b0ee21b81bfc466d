// axe on every page and state of all three origins, in light and dark mode, at desktop and
// phone widths, plus the WCAG 1.4.10 reflow check at 320 CSS px. Any violation fails.
//
// To cover a new page, add one entry to PAGES: a name and an `open` that puts the state on
// screen (a plain page.goto for most). The checks then run on it in every scheme and width.
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { expectNoAxeViolations } from './axe';
import {
	authorizeURL,
	PARTNER_APP,
	registerClient,
	scriptsLoaded,
	signInAtProvider,
	signInOnBothSites,
	skipBrowserValidation,
	stayOffPartnerSite,
	submitSignIn,
	uniqueEmail
} from './helpers';
import { DEMO_USER, PROVIDER_URL, SITE1_URL, SITE2_URL } from './urls';
import { createAccount } from './accounts';
import { enrolTOTP, MULTI_FACTOR, openTwoFactorPage, startSetup } from './two-factor';

interface PageState {
	name: string;
	/** Brings the page into the state to check; the page starts in a fresh browser context. */
	open: (page: Page, request: APIRequestContext) => Promise<void>;
	/** The visible h1, so a state that silently failed to open does not pass as checked. */
	heading: string | RegExp;
}

const visit = (url: string) => async (page: Page) => {
	await page.goto(url);
};

const dashboardAuthorize = (state: string, extra: Record<string, string> = {}) =>
	authorizeURL({
		client_id: 'internal-dashboard',
		redirect_uri: `${SITE1_URL}/auth/callback`,
		response_type: 'code',
		scope: 'openid profile email',
		state,
		...extra
	});

const endSessionURL = (params: Record<string, string>) => `${PROVIDER_URL}/api/auth/end-session?${new URLSearchParams(params)}`;

const PAGES: PageState[] = [
	// ---- provider ----
	{ name: 'provider: sign in', heading: 'Sign in', open: visit(`${PROVIDER_URL}/auth/login`) },
	{
		name: 'provider: sign in, wrong password',
		heading: 'Sign in',
		open: async (page) => {
			await page.goto(`${PROVIDER_URL}/auth/login`);
			await submitSignIn(page, DEMO_USER.email, 'not-the-password');
			await expect(page.getByRole('alert')).toContainText('Email or password is incorrect.');
		}
	},
	{
		name: 'provider: sign in, empty fields (errors beside the fields)',
		heading: 'Sign in',
		open: async (page) => {
			await page.goto(`${PROVIDER_URL}/auth/login`);
			await skipBrowserValidation(page);
			await page.getByRole('button', { name: 'Sign in', exact: true }).click();
			await expect(page.getByText('Enter your password.')).toBeVisible();
		}
	},
	{
		name: 'provider: sign in, rate limited',
		heading: 'Sign in',
		open: async (page) => {
			// A fresh address, so no other test's account is slowed down.
			const email = uniqueEmail('a11y-limit');
			await page.goto(`${PROVIDER_URL}/auth/login`);
			for (let attempt = 0; attempt < 12; attempt++) {
				await submitSignIn(page, email, 'wrong-password');
				const alert = page.getByRole('alert').first();
				await expect(alert).toBeVisible();
				if ((await alert.textContent())?.includes('Too many failed sign-in attempts')) return;
			}
			throw new Error('never rate limited');
		}
	},
	{
		name: 'provider: sign in for an application ("to continue to", with its logo)',
		heading: 'Sign in',
		open: async (page) => {
			await page.goto(dashboardAuthorize('a11y-continue'));
			await expect(page.getByTestId('requesting-app')).toBeVisible();
			await expect(page.getByTestId('app-logo')).toBeVisible();
		}
	},
	{
		name: 'provider: sign in, busy ("Signing in…" while the form is sent)',
		heading: 'Sign in',
		open: async (page) => {
			// The sign-in is held at the network until the checks are done: the busy state stays on screen.
			await page.route(`${PROVIDER_URL}/auth/login*`, (route) => (route.request().method() === 'POST' ? new Promise(() => {}) : route.continue()));
			await page.goto(`${PROVIDER_URL}/auth/login`);
			await scriptsLoaded(page);
			await submitSignIn(page, DEMO_USER.email, DEMO_USER.password);
			await expect(page.getByRole('button', { name: 'Signing in…' })).toBeDisabled();
		}
	},
	{
		name: "provider: consent for an operator's app, with its logo (prompt=consent)",
		heading: 'Allow Internal Dashboard to use your account?',
		open: async (page) => {
			await signInAtProvider(page);
			await page.goto(dashboardAuthorize('a11y-logo', { prompt: 'consent' }));
			await expect(page.getByTestId('app-logo')).toBeVisible();
		}
	},
	{
		name: 'provider: re-authentication (prompt=login, "Signed in as")',
		heading: 'Sign in',
		open: async (page) => {
			await signInAtProvider(page);
			await page.goto(dashboardAuthorize('a11y-reauth', { prompt: 'login' }));
			await expect(page.getByTestId('signed-in-as')).toBeVisible();
		}
	},
	{
		name: 'provider: password shown (toggle pressed)',
		heading: 'Sign in',
		open: async (page) => {
			await page.goto(`${PROVIDER_URL}/auth/login`);
			await scriptsLoaded(page);
			await page.getByRole('button', { name: 'Show password' }).click();
			await expect(page.getByRole('button', { name: 'Show password' })).toHaveAttribute('aria-pressed', 'true');
		}
	},
	{ name: 'provider: create account', heading: 'Create your account', open: visit(`${PROVIDER_URL}/auth/signup`) },
	{
		name: 'provider: create account with errors',
		heading: 'Create your account',
		open: async (page) => {
			await page.goto(`${PROVIDER_URL}/auth/signup`);
			await skipBrowserValidation(page);
			await page.getByLabel('Email').fill('not-an-email');
			await page.getByLabel('Password').fill('short');
			await page.getByRole('button', { name: 'Create account' }).click();
			await expect(page.locator('.field-error').first()).toBeVisible();
		}
	},
	{
		name: 'provider: consent',
		heading: 'Allow Partner App to use your account?',
		open: async (page, request) => {
			await stayOffPartnerSite(page);
			const { client_id } = await registerClient(request, PARTNER_APP);
			await signInAtProvider(page);
			await page.goto(
				authorizeURL({ client_id, redirect_uri: `${SITE1_URL}/auth/callback`, response_type: 'code', scope: 'openid profile email', state: 'a11y' })
			);
		}
	},
	{
		name: 'provider: account',
		heading: 'Your account',
		open: async (page) => {
			await signInAtProvider(page);
			await scriptsLoaded(page);
		}
	},
	{
		name: 'provider: passkeys (list and add form)',
		heading: 'Passkeys',
		open: async (page) => {
			await signInAtProvider(page);
			await page.goto(`${PROVIDER_URL}/account/passkeys`);
			await scriptsLoaded(page);
			await expect(page.getByRole('button', { name: 'Add a passkey' })).toBeVisible();
		}
	},
	{
		name: 'provider: sign in, with the passkey button',
		heading: 'Sign in',
		open: async (page) => {
			await page.goto(`${PROVIDER_URL}/auth/login`);
			await scriptsLoaded(page);
			await expect(page.getByRole('button', { name: 'Sign in with a passkey' })).toBeVisible();
		}
	},
	{
		name: 'provider: account console (sessions and connected apps)',
		heading: 'Your account',
		open: async (page, request) => {
			await signInOnBothSites(page);
			// A second session, from "another browser", so the list offers "Sign out".
			await request.post(`${PROVIDER_URL}/api/auth/sign-in/email`, { data: { email: DEMO_USER.email, password: DEMO_USER.password } });
			await page.goto(`${PROVIDER_URL}/account`);
			await expect(page.getByRole('button', { name: 'Sign out all other sessions' })).toBeVisible();
			await scriptsLoaded(page);
		}
	},
	{
		name: 'provider: account console, a session that already ended',
		heading: 'Your account',
		open: async (page, request) => {
			await signInAtProvider(page);
			await request.post(`${PROVIDER_URL}/api/auth/sign-in/email`, { data: { email: DEMO_USER.email, password: DEMO_USER.password } });
			await page.goto(`${PROVIDER_URL}/account`);
			const form = page.locator('form[action="?/endSession"]').first();
			await form.locator('input[name="session_id"]').evaluate((input) => ((input as HTMLInputElement).value = 'ended-meanwhile'));
			await form.getByRole('button').click();
			await expect(page.getByRole('alert')).toContainText('That session is no longer active.');
		}
	},
	{
		name: 'provider: account, name refused beside the field',
		heading: 'Your account',
		open: async (page) => {
			await signInAtProvider(page);
			const form = page.locator('form[action="?/updateName"]');
			await form.evaluate((f) => ((f as HTMLFormElement).noValidate = true));
			await page.getByLabel('Name', { exact: true }).fill('');
			await form.getByRole('button', { name: 'Save name' }).click();
			await expect(page.getByLabel('Name', { exact: true })).toHaveAccessibleDescription('Enter your name.');
		}
	},
	{
		name: 'provider: security log (a failed attempt among the sign-ins)',
		heading: 'Security log',
		open: async (page) => {
			// A failed attempt for another account would not show here; one for the demo user does.
			await page.goto(`${PROVIDER_URL}/auth/login`);
			await submitSignIn(page, DEMO_USER.email, 'not-the-password');
			await expect(page.getByRole('alert')).toContainText('Email or password is incorrect.');
			await signInAtProvider(page);
			await page.goto(`${PROVIDER_URL}/account/security`);
			await expect(page.getByText('Failed sign-in: wrong password').first()).toBeVisible();
			await expect(page.getByText('This session')).toBeVisible();
			await scriptsLoaded(page);
		}
	},
	{
		name: 'provider: security log, a broken "older events" link',
		heading: 'Security log',
		open: async (page) => {
			await signInAtProvider(page);
			await page.goto(`${PROVIDER_URL}/account/security?before=broken`);
			await expect(page.getByRole('alert')).toContainText('That link to older events is not valid.');
		}
	},
	{
		name: 'provider: re-authentication before a sensitive action (notice)',
		heading: 'Sign in',
		open: async (page) => {
			await signInAtProvider(page);
			await page.goto(`${PROVIDER_URL}/auth/login?prompt=login&return_to=%2Faccount%2Fpassword&notice=reauthenticate`);
			await expect(page.getByRole('status')).toContainText('needs a recent sign-in');
		}
	},
	{
		name: 'provider: change password',
		heading: 'Change password',
		open: async (page) => {
			await signInAtProvider(page);
			await page.goto(`${PROVIDER_URL}/account/password`);
			await scriptsLoaded(page);
		}
	},
	{
		name: 'provider: change password, errors beside the fields',
		heading: 'Change password',
		open: async (page) => {
			await signInAtProvider(page);
			await page.goto(`${PROVIDER_URL}/account/password`);
			// An empty current password is refused before any check, so the shared demo account's failed sign-ins do not grow.
			await page.locator('main form[method="POST"]').evaluate((f) => ((f as HTMLFormElement).noValidate = true));
			await page.getByLabel('New password').fill('short');
			await page.getByRole('button', { name: 'Change password' }).click();
			await expect(page.getByLabel('Current password')).toHaveAccessibleDescription('Enter your current password.');
		}
	},
	{
		name: 'provider: delete account (confirmation)',
		heading: 'Delete your account',
		open: async (page) => {
			await signInAtProvider(page);
			await page.goto(`${PROVIDER_URL}/account/delete`);
		}
	},
	{ name: 'provider: account deleted', heading: 'Your account was deleted', open: visit(`${PROVIDER_URL}/account/deleted`) },
	{
		name: 'provider: account console, notice after revoking an app',
		heading: 'Your account',
		open: async (page) => {
			await signInOnBothSites(page);
			await page.goto(`${PROVIDER_URL}/account`);
			await page.getByRole('button', { name: 'Revoke access for Team Wiki' }).click();
			await expect(page.getByRole('status')).toContainText('Access removed.');
		}
	},
	{
		name: 'provider: sign out? (listing the applications signed out too)',
		heading: 'Sign out?',
		open: async (page) => {
			await signInOnBothSites(page);
			await page.goto(`${PROVIDER_URL}/auth/logout`);
			await expect(page.getByTestId('signed-out-too')).toBeVisible();
		}
	},
	{
		name: 'provider: you are signed out',
		heading: 'You are signed out',
		open: async (page) => {
			await signInAtProvider(page);
			await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
			await expect(page).toHaveURL(`${PROVIDER_URL}/auth/logout/done`);
		}
	},
	{
		name: 'provider: authorization request rejected',
		heading: 'Sign-in request rejected',
		open: visit(authorizeURL({ client_id: 'no-such-client', redirect_uri: 'https://evil.example/cb', response_type: 'code', scope: 'openid' }))
	},
	{
		name: 'provider: authorization request rejected, redirect_uri not registered (For developers, with the registered URIs)',
		heading: 'Sign-in request rejected',
		open: visit(authorizeURL({ client_id: 'internal-dashboard', redirect_uri: 'https://evil.example/cb', response_type: 'code', scope: 'openid' }))
	},
	{
		name: 'provider: sign-in not completed, public client without PKCE (For developers)',
		heading: 'Sign-in not completed',
		open: async (page, request) => {
			const { client_id } = await registerClient(request, {
				client_name: 'A11y SPA',
				redirect_uris: [`${SITE1_URL}/auth/callback`],
				token_endpoint_auth_method: 'none'
			});
			await page.goto(authorizeURL({ client_id, redirect_uri: `${SITE1_URL}/auth/callback`, response_type: 'code', scope: 'openid', state: 'a11y' }));
		}
	},
	{ name: 'provider: signing key lifecycle (/dev/keys)', heading: 'Signing key lifecycle', open: visit(`${PROVIDER_URL}/dev/keys`) },
	{
		name: 'provider: sign-in not completed (leave for an unverified destination)',
		heading: 'Sign-in not completed',
		open: async (page, request) => {
			const { client_id } = await registerClient(request, { client_name: 'A11y App', redirect_uris: [`${SITE1_URL}/auth/callback`] });
			await page.goto(authorizeURL({ client_id, redirect_uri: `${SITE1_URL}/auth/callback`, response_type: 'code', scope: 'profile', state: 'a11y' }));
		}
	},
	{
		name: 'provider: end session, sign out?',
		heading: 'Sign out?',
		open: async (page) => {
			await signInAtProvider(page);
			await page.goto(endSessionURL({ client_id: 'internal-dashboard', post_logout_redirect_uri: `${SITE1_URL}/` }));
		}
	},
	{
		name: 'provider: end session while signed out (leave for a destination)',
		heading: 'You are signed out',
		open: visit(endSessionURL({ client_id: 'internal-dashboard', post_logout_redirect_uri: `${SITE1_URL}/` }))
	},
	{
		name: 'provider: end session rejected',
		heading: 'Sign-out request rejected',
		open: visit(endSessionURL({ client_id: 'internal-dashboard', post_logout_redirect_uri: 'https://evil.example/' }))
	},
	{ name: 'provider: 404', heading: 'Page not found', open: visit(`${PROVIDER_URL}/no-such-page`) },
	{ name: "provider: 404 for a demo site's page", heading: 'Page not found', open: visit(`${PROVIDER_URL}/auth/callback`) },
	{
		name: 'provider: 405 (a form-only address opened in the browser)',
		heading: 'This address is not a page',
		open: visit(`${PROVIDER_URL}/api/auth/register`)
	},
	// ---- two-step verification (docs/two-factor.md) ----
	{
		name: 'provider: two-step verification, off',
		heading: 'Two-step verification',
		open: async (page, request) => {
			const account = await createAccount(request, page, 'a11y-totp-off');
			await openTwoFactorPage(page, account.email, account.password);
		}
	},
	{
		name: 'provider: two-step verification setup (QR code and key)',
		heading: 'Set up two-step verification',
		open: async (page, request) => {
			const account = await createAccount(request, page, 'a11y-totp-setup');
			await openTwoFactorPage(page, account.email, account.password);
			await startSetup(page);
		}
	},
	{
		name: 'provider: recovery codes, shown once',
		heading: 'Save your recovery codes',
		open: async (page, request) => {
			await enrolTOTP(page, await createAccount(request, page, 'a11y-totp-codes'));
		}
	},
	{
		name: 'provider: two-step verification, on',
		heading: 'Two-step verification',
		open: async (page, request) => {
			await enrolTOTP(page, await createAccount(request, page, 'a11y-totp-on'));
			await page.getByRole('link', { name: 'I have saved my codes' }).click();
			await expect(page.getByRole('main')).toContainText('10 of 10');
		}
	},
	{
		name: 'provider: the code at sign-in, for an application, with the recovery code form open and refused',
		heading: 'Two-step verification',
		open: async (page, request) => {
			const account = await createAccount(request, page, 'a11y-totp-sign-in');
			await enrolTOTP(page, account);
			await page.context().clearCookies();
			const authorize = new URL(dashboardAuthorize('a11y-totp'));
			await page.goto(`${PROVIDER_URL}/auth/login?return_to=${encodeURIComponent(authorize.pathname + authorize.search)}`);
			await submitSignIn(page, account.email, account.password);
			await expect(page.getByTestId('requesting-app')).toBeVisible();
			await page.getByText('Lost your phone? Use a recovery code').click();
			await page.getByLabel('Recovery code').fill('aaaa-bbbb-cccc-dddd');
			await page.getByRole('button', { name: 'Use recovery code' }).click();
			await expect(page.getByRole('alert')).toContainText('That recovery code is not right');
		}
	},
	{
		name: 'provider: step-up asked by an application (acr_values)',
		heading: 'Two-step verification',
		open: async (page, request) => {
			await enrolTOTP(page, await createAccount(request, page, 'a11y-totp-step-up'));
			await page.goto(dashboardAuthorize('a11y-step-up', { acr_values: MULTI_FACTOR }));
			await expect(page.getByRole('main')).toContainText('asks for two-step verification');
		}
	},
	// ---- demo sites ----
	...[
		{ site: 'Internal Dashboard', url: SITE1_URL },
		{ site: 'Team Wiki', url: SITE2_URL }
	].flatMap(({ site, url }): PageState[] => [
		{ name: `${site}: home, signed out`, heading: site, open: visit(url) },
		{
			name: `${site}: home, signed in`,
			heading: site,
			open: async (page) => {
				await signInOnBothSites(page);
				await page.goto(url);
				await scriptsLoaded(page);
			}
		},
		{
			name: `${site}: you were signed out everywhere`,
			heading: site,
			open: async (page) => {
				await signInOnBothSites(page);
				await signOutAtProvider(page);
				await page.goto(url);
				await expect(page.getByRole('status')).toContainText('You were signed out everywhere.');
			}
		},
		{ name: `${site}: sign-in failed`, heading: 'Sign-in failed', open: visit(`${url}/auth/callback?error=access_denied&state=x`) },
		{
			name: `${site}: signed in, a finished sign-in's callback again (notice)`,
			heading: site,
			open: async (page) => {
				await signInOnBothSites(page);
				await page.goto(`${url}/auth/callback?code=used&state=finished`);
				await expect(page.getByTestId('sign-in-not-pending')).toBeVisible();
			}
		},
		{ name: `${site}: 404`, heading: 'Page not found', open: visit(`${url}/no-such-page`) },
		{ name: `${site}: 404 for a provider page`, heading: 'Page not found', open: visit(`${url}/account`) },
		{ name: `${site}: 405 (sign-out opened in the browser)`, heading: 'This address is not a page', open: visit(`${url}/auth/sign-out`) }
	]),
	// ---- the common-issues lab (site 1; the same page on site 2) ----
	{ name: 'Internal Dashboard: common issues lab, signed out', heading: 'Common issues lab', open: visit(`${SITE1_URL}/lab`) },
	...[
		{ state: 'empty JWKS diagnosed', button: 'Verify against an empty JWKS', scenario: 'empty-jwks' },
		{ state: 'invalid signature diagnosed', button: 'Sign it with a key the provider never published', scenario: 'invalid-signature' },
		{ state: 'token expired diagnosed', button: 'Verify with the clock past exp', scenario: 'token-expired' }
	].map(({ state, button, scenario }): PageState => ({
		name: `Internal Dashboard: common issues lab, ${state}`,
		heading: 'Common issues lab',
		open: async (page) => {
			await signInOnBothSites(page);
			await page.goto(`${SITE1_URL}/lab`);
			await scriptsLoaded(page);
			await page.getByRole('button', { name: button }).click();
			await expect(page.getByTestId(`diagnosis-${scenario}`)).toBeVisible();
		}
	})),
	{
		name: 'Internal Dashboard: common issues lab, redirect URI mismatch diagnosed',
		heading: 'Common issues lab',
		open: async (page) => {
			await page.goto(`${SITE1_URL}/lab`);
			await page.getByRole('button', { name: 'Send a sign-in request with an unregistered redirect_uri' }).click();
			await expect(page.getByRole('heading', { level: 1, name: 'Sign-in request rejected' })).toBeVisible();
			await page.goto(`${SITE1_URL}/lab`);
			await expect(page.getByTestId('diagnosis-redirect-mismatch')).toBeVisible();
		}
	}
	// The lab's key rotation states are checked the same way (schemes, widths, reflow) in
	// lab.e2e.ts: a rotation here, in the first spec file, would show on /dev/keys, whose
	// dev-pages.e2e.ts check expects only the provider's own policy to have rotated keys.
];

async function signOutAtProvider(page: Page): Promise<void> {
	await page.goto(`${PROVIDER_URL}/auth/logout`);
	await page.getByRole('main').getByRole('button', { name: 'Sign out' }).click();
	await expect(page).toHaveURL(`${PROVIDER_URL}/auth/logout/done`);
}

const SCHEMES = ['light', 'dark'] as const;
const WIDTHS = [
	{ label: 'desktop', width: 1280, height: 800 },
	{ label: 'phone', width: 390, height: 844 }
];
/** WCAG 1.4.10 Reflow: content fits 320 CSS px without scrolling sideways. */
const REFLOW_WIDTH = 320;
const TITLE = /^\S.* — (SSO Provider|Internal Dashboard|Team Wiki)$/;

for (const state of PAGES) {
	test(`a11y: ${state.name}`, async ({ page, request }) => {
		await state.open(page, request);
		await expect(page.getByRole('heading', { level: 1 })).toHaveText(state.heading);
		await expect(page, 'the title names the page and the provider or site').toHaveTitle(TITLE);
		// Same document throughout: colour scheme and viewport change in place, as for a user.
		for (const colorScheme of SCHEMES) {
			// Reduced motion turns the buttons' colour transition off (app.css): axe must see the
			// new scheme's colours, not a button half-way from the old ones.
			await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' });
			for (const { label, width, height } of WIDTHS) {
				await page.setViewportSize({ width, height });
				await expectNoAxeViolations(page, `${state.name}, ${colorScheme}, ${label} ${width}px`);
			}
			await page.setViewportSize({ width: REFLOW_WIDTH, height: 640 });
			const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
			expect(overflow, `${state.name}, ${colorScheme}: page width at ${REFLOW_WIDTH}px (horizontal scrolling)`).toBeLessThanOrEqual(REFLOW_WIDTH);
		}
	});
}
