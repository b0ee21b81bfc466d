// Fresh accounts for the end-to-end specs of password reset and change of address (the demo
// user is shared by other specs, so these journeys never change it).
import { expect, type APIRequestContext, type Locator, type Page } from '@playwright/test';
import { expectVisibleFocus, uniqueEmail } from './helpers';
import { nextMail } from './mail';
import { PROVIDER_URL } from './urls';

export interface Account {
	email: string;
	password: string;
	name: string;
}

/**
 * Signs up through the JSON endpoint (as the guide's curl example does). If sign-up answers
 * with a confirmation mail instead of an account, the link in it is followed (and its button
 * pressed) in `page`, so the spec works whichever way sign-up is configured.
 */
export async function createAccount(request: APIRequestContext, page: Page, label: string): Promise<Account> {
	const account = { email: uniqueEmail(label), password: `e2e passphrase ${Math.random().toString(36).slice(2)}`, name: 'Ada Lovelace' };
	const response = await request.post(`${PROVIDER_URL}/api/auth/sign-up/email`, { data: account, maxRedirects: 0 });
	expect(response.status(), await response.text()).toBeLessThan(300);
	if (!response.headers()['set-cookie']?.includes('op_session=')) {
		const mail = await nextMail(account.email);
		await page.goto(mail.links[0]);
		const confirm = page.locator('main form[method="POST"] button');
		if (await confirm.count()) {
			await confirm.first().click();
			// The confirmation signs in and leaves the page; wait for that before forgetting the
			// cookies, or a late Set-Cookie would sign the next step in as this account.
			await expect(page).not.toHaveURL(/\/auth\/verify-email/);
		}
		await page.context().clearCookies();
	}
	return account;
}

/** Moves the focus with Tab (as a keyboard user does) until `target` has it; fails if it never does. */
export async function tabTo(page: Page, target: Locator): Promise<void> {
	for (let presses = 0; presses < 40; presses++) {
		if (await target.evaluate((el) => el === document.activeElement)) return;
		await page.keyboard.press('Tab');
	}
	throw new Error('the element cannot be reached with Tab');
}

/** Activates `target` as a keyboard user does: Tab to it, see where the focus is, press Enter. */
export async function pressByKeyboard(page: Page, target: Locator): Promise<void> {
	await tabTo(page, target);
	await expectVisibleFocus(page);
	await page.keyboard.press('Enter');
}
