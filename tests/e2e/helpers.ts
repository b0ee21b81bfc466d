import { expect, type Page } from '@playwright/test';

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
	return page.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) }).getByRole('cell');
}

/** The URL's origin + path, for assertions that must not depend on the query. */
export function originAndPath(url: string): string {
	const u = new URL(url);
	return u.origin + u.pathname;
}
