// "What just happened" on the demo sites (FLOW_INSPECTOR=true in playwright.config.ts): after a
// real sign-in the page shows the sequence diagram, each exchange as expandable details, the
// decoded ID token and the checks; by keyboard, without JavaScript, and with no axe violations.
import { expect, test } from '@playwright/test';
import { expectAccessible } from './axe';
import { javaScriptOn, submitSignIn } from './helpers';
import { DEMO_USER, SITE1_URL } from './urls';

test('after signing in, "What just happened" shows every exchange, the decoded ID token and each check', { tag: '@forms' }, async ({ page, context }) => {
	const javaScript = javaScriptOn();
	if (javaScript) await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: SITE1_URL });

	await test.step('sign in at site 1 and open the inspector from the home page', async () => {
		await page.goto(SITE1_URL);
		await page.getByRole('button', { name: 'Sign in with SSO' }).click();
		await submitSignIn(page, DEMO_USER.email, DEMO_USER.password);
		await expect(page).toHaveURL(`${SITE1_URL}/`);
		await page.getByRole('link', { name: /What just happened/ }).click();
		await expect(page).toHaveURL(`${SITE1_URL}/inspector`);
		await expect(page.getByRole('heading', { level: 1, name: 'What just happened' })).toBeVisible();
		await expect(page.getByRole('heading', { level: 2, name: /Sign-in \(succeeded\)/ })).toBeVisible();
		await expect(page.getByRole('img', { name: 'Sequence diagram: Sign-in' })).toBeVisible();
		await expectAccessible(page, 'the inspector after a sign-in, steps collapsed');
	});

	await test.step('the steps open and close by keyboard, in order', async () => {
		const steps = page.getByRole('list', { name: 'Every exchange, in order' }).getByRole('listitem');
		await expect(steps.first()).toContainText('Browser → Site: POST /auth/sign-in');
		const authorize = steps.filter({ hasText: 'GET /api/auth/authorize' });
		const summary = authorize.locator('summary');
		await summary.focus();
		await page.keyboard.press('Enter');
		await expect(authorize.getByRole('rowheader', { name: 'code_challenge', exact: true })).toBeVisible();
		await expect(authorize.getByRole('row', { name: /code_challenge_method/ })).toContainText('S256');
		await expectAccessible(page, 'the inspector with the authorization request expanded');
		await page.keyboard.press('Tab');
		await expect(steps.filter({ hasText: '302 back to the redirect_uri' }).locator('summary')).toBeFocused();
		await summary.focus();
		await page.keyboard.press('Enter');
		await expect(authorize.getByRole('rowheader', { name: 'code_challenge', exact: true })).toBeHidden();
	});

	await test.step('the ID token decoded, claims explained, the raw token selectable (and copyable with JavaScript)', async () => {
		const payload = page.getByRole('table', { name: 'Payload (claims)' });
		await expect(payload.getByRole('row', { name: /^email / })).toContainText(DEMO_USER.email);
		await expect(payload.getByRole('row', { name: /^iss / })).toContainText('Issuer');
		const raw = page.getByLabel(/The raw ID token/);
		await expect(raw).toHaveValue(/^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+$/);
		const copy = page.getByRole('button', { name: 'Copy the ID token' });
		if (javaScript) {
			await copy.click();
			await expect(page.getByRole('status')).toHaveText('Copied.');
			expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await raw.inputValue());
		} else {
			await expect(copy).toHaveCount(0);
		}
		const checks = page.getByRole('table', { name: 'Each check the site made, in order' });
		await expect(checks.getByRole('row', { name: /at_hash matches the access token/ })).toContainText('Passed');
		await expect(checks.getByRole('row', { name: /state is the one this browser sent/ })).toContainText('RFC 6749 §10.12');
	});

	await test.step('after "Sign out of Internal Dashboard", the page shows the sign-out instead', async () => {
		await page.goto(SITE1_URL);
		await page.getByRole('button', { name: 'Sign out of Internal Dashboard' }).click();
		await expect(page.getByRole('button', { name: 'Sign in with SSO' })).toBeVisible();
		await page.getByRole('link', { name: /What just happened/ }).click();
		await expect(page.getByRole('heading', { level: 2, name: /Sign-out of this site/ })).toBeVisible();
		await expect(page.getByRole('heading', { name: /^Sign-in/ })).toHaveCount(0);
		await expectAccessible(page, 'the inspector after a sign-out');
	});
});
