// Two-step verification for the end-to-end specs: the authenticator app is @oslojs/otp, fed
// with the setup key the page shows (what a person types when they cannot scan the QR code).
import { expect, type Page } from '@playwright/test';
import { decodeBase32 } from '@oslojs/encoding';
import { generateHOTP } from '@oslojs/otp';
import { submitSignIn } from './helpers';
import { PROVIDER_URL } from './urls';

export const MULTI_FACTOR = 'http://schemas.openid.net/pape/policies/2007/06/multi-factor';

/** The code the app shows `offset` 30-second steps from now (the server accepts -1, 0 and +1, each step once). */
export function totpCode(key: Uint8Array, offset = 0): string {
	return generateHOTP(key, BigInt(Math.floor(Date.now() / 30_000) + offset), 6);
}

/** Waits while the current step is about to end, so a code computed now is checked in the same step. */
export async function awayFromStepBoundary(): Promise<void> {
	const left = 30_000 - (Date.now() % 30_000);
	if (left < 4000) await new Promise((resolve) => setTimeout(resolve, left + 200));
}

/** Signs in with the password (no second step yet) and lands on the two-step verification page. */
export async function openTwoFactorPage(page: Page, email: string, password: string): Promise<void> {
	await page.goto(`${PROVIDER_URL}/auth/login?return_to=${encodeURIComponent('/account/two-factor')}`);
	await submitSignIn(page, email, password);
	await expect(page).toHaveURL(`${PROVIDER_URL}/account/two-factor`);
}

/** From the "off" page: starts the setup and reads the key as a person would type it. */
export async function startSetup(page: Page): Promise<Uint8Array> {
	await page.getByRole('button', { name: 'Set up two-step verification' }).click();
	await expect(page.getByRole('heading', { level: 1, name: 'Set up two-step verification' })).toBeVisible();
	const manual = (await page.getByTestId('manual-key').textContent()) ?? '';
	return decodeBase32(manual.replace(/\s/g, ''));
}

/** Confirms the setup with the previous step's code (leaving the next two for sign-ins); returns the recovery codes. */
export async function confirmSetup(page: Page, key: Uint8Array): Promise<string[]> {
	await awayFromStepBoundary();
	await page.getByLabel('6-digit code').fill(totpCode(key, -1));
	await page.getByRole('button', { name: 'Turn on two-step verification' }).click();
	await expect(page.getByRole('heading', { level: 1, name: 'Save your recovery codes' })).toBeVisible();
	const codes = await page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').allTextContents();
	expect(codes).toHaveLength(10);
	return codes.map((c) => c.trim());
}

/** A fresh account with two-step verification on, signed in (a password-only session from before it was on). */
export async function enrolTOTP(page: Page, account: { email: string; password: string }): Promise<{ key: Uint8Array; recoveryCodes: string[] }> {
	await openTwoFactorPage(page, account.email, account.password);
	const key = await startSetup(page);
	return { key, recoveryCodes: await confirmSetup(page, key) };
}
