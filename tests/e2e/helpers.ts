import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { DEMO_USER, PROVIDER_URL, SITE1_URL, SITE2_URL } from './urls';

/** An address no other test (or earlier run against the same Postgres) has used. */
export function uniqueEmail(label: string): string {
	return `e2e-${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.com`;
}

/** Fills and submits the provider's sign-in form; the caller asserts where it lands. */
export async function submitSignIn(page: Page, email: string, password: string): Promise<void> {
	await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
	await page.getByLabel('Email').fill(email);
	await page.getByLabel('Password').fill(password);
	await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/**
 * Lets a form reach the server with values the browser's own constraint validation would
 * hold back (required, minlength), as an older or assistive browser may send them: the
 * server's messages are the ones every user is guaranteed to get.
 */
export async function skipBrowserValidation(page: Page): Promise<void> {
	await page.locator('form[method="POST"]:has(input[name="password"])').evaluate((form) => ((form as HTMLFormElement).noValidate = true));
}

/** The value shown for one ID-token claim on a demo site's page. */
export function claim(page: Page, name: string) {
	return page
		.getByRole('row')
		.filter({ has: page.getByRole('rowheader', { name, exact: true }) })
		.getByRole('cell');
}

/** The URL's origin + path, for assertions that must not depend on the query. */
export function originAndPath(url: string): string {
	const u = new URL(url);
	return u.origin + u.pathname;
}

/** Everything the main frame committed to, and every document request (redirect hops included). */
export function recordNavigation(page: Page) {
	const committed: string[] = [];
	const requested: string[] = [];
	page.on('framenavigated', (frame) => {
		if (frame === page.mainFrame()) committed.push(frame.url());
	});
	page.on('request', (request) => {
		if (request.isNavigationRequest() && request.frame() === page.mainFrame()) requested.push(request.url());
	});
	return {
		committed,
		requested,
		reset() {
			committed.length = 0;
			requested.length = 0;
		}
	};
}

/** Fails the test if the browser so much as asks for anything on evil.example. */
export async function guardAgainstEvil(page: Page): Promise<string[]> {
	const hits: string[] = [];
	await page.context().route(
		(url) => url.hostname === 'evil.example' || url.hostname.endsWith('.evil.example'),
		async (route) => {
			hits.push(route.request().url());
			await route.abort('blockedbyclient');
		}
	);
	return hits;
}

/** Resolves once the page's scripts have loaded and run (hydration included). */
export async function scriptsLoaded(page: Page): Promise<void> {
	await page.waitForLoadState('load');
	await page.waitForLoadState('networkidle');
}

export function authorizeURL(params: Record<string, string>): string {
	return `${PROVIDER_URL}/api/auth/authorize?${new URLSearchParams(params)}`;
}

/** Whether this project's browser runs scripts (the `no-js` project does not). */
export function javaScriptOn(): boolean {
	return test.info().project.use.javaScriptEnabled !== false;
}

/** From a demo site's "Sign in with SSO" to the provider's sign-in page (the authorization request waits in return_to). */
export async function startSignInAtSite(page: Page, site: string = SITE1_URL): Promise<void> {
	await page.goto(site);
	await page.getByRole('button', { name: 'Sign in with SSO' }).click();
	await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
}

/** Signs in on a demo site through the provider's password form, back on the site's greeting. */
export async function signInOnSite(
	page: Page,
	site: string = SITE1_URL,
	account: { email: string; password: string; name: string } = DEMO_USER
): Promise<void> {
	await page.goto(site);
	await page.getByRole('button', { name: 'Sign in with SSO' }).click();
	await submitSignIn(page, account.email, account.password);
	await expect(page).toHaveURL(`${site}/`);
	await expect(welcome(page, account.name)).toBeVisible();
}

/** The demo user's session at the provider, through its sign-in page. */
export async function signInAtProvider(page: Page): Promise<void> {
	await page.goto(`${PROVIDER_URL}/auth/login`);
	await submitSignIn(page, DEMO_USER.email, DEMO_USER.password);
	await expect(page).toHaveURL(`${PROVIDER_URL}/account`);
}

/** A demo site's signed-in greeting (for the demo user unless named). */
export function welcome(page: Page, name: string = DEMO_USER.name) {
	return page.getByRole('heading', { level: 2, name: `Welcome, ${name}` });
}

/** Signs in on site1 with the password at the provider, then on site2 without it (single sign-on). */
export async function signInOnBothSites(page: Page): Promise<void> {
	await signInOnSite(page, SITE1_URL);
	await page.goto(SITE2_URL);
	await page.getByRole('button', { name: 'Sign in with SSO' }).click();
	// Straight back to site2: a password prompt would stop on the provider's login page.
	await expect(page).toHaveURL(`${SITE2_URL}/`);
	await expect(welcome(page)).toBeVisible();
}

/** Registers a client over RFC 7591 dynamic registration (untrusted, so it gets a consent page). */
export async function registerClient(request: APIRequestContext, metadata: Record<string, unknown>): Promise<{ client_id: string; client_secret?: string }> {
	const response = await request.post(`${PROVIDER_URL}/api/auth/register`, { data: metadata });
	expect(response.status(), await response.text()).toBe(201);
	return response.json();
}

/**
 * An untrusted client, as dynamic registration makes it. It redirects to site1's callback, a
 * page the tests can observe; its own pages are on partner.example (see stayOffPartnerSite).
 */
export const PARTNER_APP = {
	client_name: 'Partner App',
	redirect_uris: [`${SITE1_URL}/auth/callback`],
	logo_uri: 'https://partner.example/logo.png',
	policy_uri: 'https://partner.example/privacy',
	tos_uri: 'https://partner.example/terms'
};

/** The consent page shows the partner's logo: the browser must not go out to the internet for it. */
export async function stayOffPartnerSite(page: Page): Promise<void> {
	await page.context().route(
		(url) => url.hostname === 'partner.example',
		(route) => route.abort('blockedbyclient')
	);
}

/** Outline of the focused element: a keyboard user must see where the focus is. */
export async function expectVisibleFocus(page: Page): Promise<void> {
	const outline = await page.evaluate(() => {
		const el = document.activeElement;
		const style = el ? getComputedStyle(el) : null;
		return { style: style?.outlineStyle ?? 'none', width: style ? parseFloat(style.outlineWidth) : 0 };
	});
	expect(outline.style, 'outline style of the focused element').not.toBe('none');
	expect(outline.width, 'outline width of the focused element').toBeGreaterThan(0);
}
