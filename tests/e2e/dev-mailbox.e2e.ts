import { expect, test } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expectAccessible } from './axe';
import { scriptsLoaded, uniqueEmail } from './helpers';
import { PORT_BASE } from './urls';

// A fresh machine without SMTP: servers of this spec's own (the suite's server has an SMTP
// listener), one with the development mailbox (DEV_MAILBOX=true, as `vite dev` has it) and
// one with mail off. Tagged @forms: the journey also runs without JavaScript.

const ROOT = resolve(import.meta.dirname, '../..');

interface OwnServer {
	url: string;
	/** What the server printed so far (attached to a failed test). */
	log(): string;
	stop(): Promise<void>;
}

/** `node build` serving only the provider on `port`, with `env`; resolves once it listens. */
async function startProvider(port: number, env: Record<string, string>): Promise<OwnServer> {
	const dir = mkdtempSync(join(tmpdir(), 'sso-e2e-mailbox-'));
	const url = `http://localhost:${port}`;
	const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'build/index.js')], {
		cwd: ROOT,
		env: {
			PATH: process.env.PATH ?? '',
			NODE_ENV: 'production',
			PROVIDER_URL: url,
			PORT: String(port),
			SERVE: 'provider',
			PGLITE_DIR: join(dir, 'pglite'),
			SEED_DEMO_DATA: 'true',
			...env
		},
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let log = '';
	await new Promise<void>((resolvePromise, reject) => {
		const timer = setTimeout(() => reject(new Error(`no "listening on :${port}" after 60 s:\n${log}`)), 60_000);
		const onData = (chunk: Buffer) => {
			log += chunk.toString();
			if (log.includes(`listening on :${port}`)) {
				clearTimeout(timer);
				resolvePromise();
			}
		};
		child.stdout!.on('data', onData);
		child.stderr!.on('data', onData);
		child.once('exit', (code) => reject(new Error(`node build exited with ${code}:\n${log}`)));
	});
	return {
		url,
		log: () => log,
		stop: () =>
			new Promise<void>((done) => {
				child.once('exit', () => {
					rmSync(dir, { recursive: true, force: true });
					done();
				});
				child.kill('SIGTERM');
			})
	};
}

test.describe('without SMTP', () => {
	let mailbox: OwnServer;
	let mailOff: OwnServer;
	test.beforeAll(async () => {
		test.setTimeout(120_000);
		[mailbox, mailOff] = await Promise.all([
			startProvider(PORT_BASE + 20, { SMTP_URL: '', DEV_MAILBOX: 'true' }),
			startProvider(PORT_BASE + 23, { SMTP_URL: '' })
		]);
	});
	test.afterEach(async ({}, testInfo) => {
		if (testInfo.status !== testInfo.expectedStatus) await testInfo.attach('server log', { body: `${mailbox?.log()}\n---\n${mailOff?.log()}` });
	});
	test.afterAll(async () => {
		await Promise.all([mailbox?.stop(), mailOff?.stop()]);
	});

	test('the development mailbox: sign up, read the mail on the provider, follow its link, signed in', { tag: '@forms' }, async ({ page }) => {
		// Mail is delivered in the background; on a machine busy with other builds that can take a while.
		test.setTimeout(60_000);
		const email = uniqueEmail('mailbox');
		await page.goto(`${mailbox.url}/dev/mailbox`);
		await expect(page.getByRole('heading', { level: 1, name: 'Development mailbox' })).toBeVisible();
		await expectAccessible(page, 'the empty development mailbox');

		await page.goto(`${mailbox.url}/auth/signup`);
		await page.getByLabel('Name').fill('Fresh Machine');
		await page.getByLabel('Email').fill(email);
		await page.getByLabel('Password').fill('a fresh machine passphrase');
		await page.getByRole('button', { name: 'Create account' }).click();
		await expect(page.getByRole('heading', { level: 1, name: 'Check your inbox' })).toBeVisible();
		await expectAccessible(page, '"Check your inbox" with the development mailbox link');

		// The form's client-side redirect may still be settling: a click then can be lost.
		await scriptsLoaded(page);
		await page.getByRole('link', { name: 'Open the development mailbox' }).click();
		await expect(page.getByRole('heading', { level: 1, name: 'Development mailbox' })).toBeVisible();
		const row = page.getByRole('row').filter({ hasText: email });
		await expect(async () => {
			await page.goto(`${mailbox.url}/dev/mailbox`);
			await expect(row).toHaveCount(1, { timeout: 1_000 });
		}).toPass({ timeout: 30_000 });
		await expectAccessible(page, 'the development mailbox with a message');

		await row.getByRole('link', { name: /^Confirm your email address/ }).click();
		await expect(page.getByRole('heading', { level: 1, name: /^Confirm your email address for/ })).toBeVisible();
		await expectAccessible(page, 'a message in the development mailbox');

		await page.getByRole('link', { name: /\/auth\/verify-email\?token=/ }).click();
		await page.getByRole('button', { name: 'Confirm and sign in' }).click();
		await expect(page).toHaveURL(`${mailbox.url}/account`);
		await expect(page.getByRole('main')).toContainText(email);
	});

	test('mail off: the sign-up page says sign-up is unavailable instead of showing the form', { tag: '@forms' }, async ({ page }) => {
		await page.goto(`${mailOff.url}/auth/signup`);
		await expect(page.getByRole('alert')).toContainText('Sign-up is unavailable because this provider cannot send email');
		await expect(page.getByLabel('Password')).toHaveCount(0);
		await expectAccessible(page, 'the sign-up page with mail off');
		const response = await page.goto(`${mailOff.url}/dev/mailbox`);
		expect(response?.status()).toBe(404);
		await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
	});
});
