import { expect, test, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { claim, scriptsLoaded, signInOnSite } from './helpers';
import { DEMO_USER, PROVIDER_URL, PYTHON_API_PORT, SITE1_URL } from './urls';

// Needs JavaScript (the page fetches the token itself), so not @forms.
test.skip(
	new URL(SITE1_URL).hostname !== new URL(PROVIDER_URL).hostname,
	'the sites are on another site than the provider: ' +
		'the browser does not send the SameSite=Lax provider cookie with their fetch, so there is no session JWT to get'
);

let pythonAPI: ChildProcess | undefined;

test.beforeAll(async () => {
	// examples/python-api/app.py with Debian's python3 and python3-jwt (.ci/run installs them).
	pythonAPI = spawn('/usr/bin/python3', ['examples/python-api/app.py'], {
		cwd: resolve(import.meta.dirname, '../..'),
		env: { PATH: process.env.PATH ?? '', PROVIDER_URL, PYTHON_API_PORT: String(PYTHON_API_PORT), PYTHON_API_ORIGINS: new URL(SITE1_URL).origin },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	await new Promise<void>((ready, fail) => {
		let output = '';
		const onData = (chunk: Buffer) => {
			output += chunk;
			if (output.includes('listening on')) ready();
		};
		pythonAPI!.stdout!.on('data', onData);
		pythonAPI!.stderr!.on('data', onData);
		pythonAPI!.once('exit', (code) => fail(new Error(`the Python API exited with ${code}: ${output}`)));
	});
});

test.afterAll(() => {
	pythonAPI?.kill();
});

async function signInOnSite1(page: Page): Promise<string | null> {
	await signInOnSite(page, SITE1_URL);
	// The buttons only work once the page has hydrated.
	await scriptsLoaded(page);
	return claim(page, 'sub').textContent();
}

test('site1 calls its own API with a session JWT from the provider', async ({ page }) => {
	const sub = await signInOnSite1(page);
	await page.getByRole('button', { name: "Call this site's API" }).click();
	const status = page.getByRole('status');
	await expect(status).toContainText(`"email": "${DEMO_USER.email}"`);
	const whoami = JSON.parse((await status.textContent()) ?? '');
	expect(whoami).toMatchObject({ sub, email: DEMO_USER.email, name: DEMO_USER.name });
	// The token's `exp` (seconds): a short-lived token, 15 minutes.
	expect(whoami.expiresAt).toBeGreaterThan(Date.now() / 1000);
	expect(whoami.expiresAt).toBeLessThanOrEqual(Date.now() / 1000 + 15 * 60 + 5);
});

test('site1 calls the Python API from the browser; it verifies the session JWT with PyJWT through the JWKS', async ({ page }) => {
	const sub = await signInOnSite1(page);
	await page.getByRole('button', { name: 'Call the Python API' }).click();
	const status = page.getByRole('status');
	await expect(status).toContainText('"verifiedBy": "python-api (PyJWT + JWKS)"');
	expect(JSON.parse((await status.textContent()) ?? '')).toMatchObject({ sub, email: DEMO_USER.email, name: DEMO_USER.name });
});
