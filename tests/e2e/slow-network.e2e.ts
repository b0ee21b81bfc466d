import { expect, test, type Page } from '@playwright/test';
import { scriptsLoaded } from './helpers';
import { DEMO_USER, PROVIDER_URL } from './urls';

// On a slow connection the server-rendered form is usable before its JavaScript arrives;
// whatever the user types in that time must survive hydration.
async function slowScripts(page: Page, ms: number): Promise<void> {
	await page.route(
		(url) => url.origin === PROVIDER_URL && url.pathname.startsWith('/_app/'),
		async (route) => {
			await new Promise((resolve) => setTimeout(resolve, ms));
			await route.continue().catch(() => {});
		}
	);
}

test('the sign-in form keeps what was typed before its JavaScript loaded', async ({ page }) => {
	await slowScripts(page, 1_500);
	await page.goto(`${PROVIDER_URL}/auth/login`, { waitUntil: 'commit' });
	await page.getByLabel('Email').fill(DEMO_USER.email);
	await page.getByLabel('Password').fill(DEMO_USER.password);
	await scriptsLoaded(page);

	await expect(page.getByLabel('Email')).toHaveValue(DEMO_USER.email);
	await expect(page.getByLabel('Password')).toHaveValue(DEMO_USER.password);
	await page.getByRole('button', { name: 'Sign in', exact: true }).click();
	await expect(page).toHaveURL(`${PROVIDER_URL}/account`);
});

test('the sign-up form keeps what was typed before its JavaScript loaded', async ({ page }) => {
	await slowScripts(page, 1_500);
	await page.goto(`${PROVIDER_URL}/auth/signup`, { waitUntil: 'commit' });
	await page.getByLabel('Name').fill('Early Typist');
	await page.getByLabel('Email').fill('early-typist@example.com');
	await page.getByLabel('Password').fill('long enough password');
	await scriptsLoaded(page);

	await expect(page.getByLabel('Name')).toHaveValue('Early Typist');
	await expect(page.getByLabel('Email')).toHaveValue('early-typist@example.com');
	await expect(page.getByLabel('Password')).toHaveValue('long enough password');
});
