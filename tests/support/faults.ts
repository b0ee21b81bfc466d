// Helpers for tests/faults: several production instances on one Postgres database, driven
// over HTTP the way browsers, relying parties and load balancers do.
import { createPostgresDatabase, dropPostgresDatabase, testServerURL, uniqueDatabaseName } from './database';
import { DASHBOARD, DASHBOARD_CREDENTIALS, DEMO } from './http';

/** A fresh database on TEST_DATABASE_URL and a secret to share between instances. */
export async function sharedDatabase(prefix: string) {
	const server = testServerURL();
	const name = uniqueDatabaseName(prefix);
	const url = await createPostgresDatabase(server, name);
	const authSecret = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
	return { url, authSecret, drop: () => dropPostgresDatabase(server, name) };
}

/** Signs the demo user in at `provider` (any instance); returns the Cookie header. */
export async function signInAt(provider: string): Promise<string> {
	const response = await fetch(`${provider}/api/auth/sign-in/email`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ email: DEMO.email, password: DEMO.password })
	});
	if (response.status !== 200) throw new Error(`sign-in at ${provider} answered ${response.status}: ${await response.text()}`);
	const cookie = response.headers.getSetCookie().find((c) => c.startsWith('op_session='));
	if (!cookie) throw new Error('no op_session cookie');
	return cookie.split(';')[0];
}

/**
 * One authorization-code flow of the demo dashboard: authorize at `authorizeAt`, redeem the
 * code at `tokenAt` (another instance, as a load balancer would send it). Returns the tokens.
 */
export async function codeFlow(options: { authorizeAt: string; tokenAt: string; cookie: string; redirectURI: string }) {
	const nonce = `n-${Math.random().toString(36).slice(2)}`;
	const params = new URLSearchParams({
		client_id: DASHBOARD.id,
		response_type: 'code',
		redirect_uri: options.redirectURI,
		scope: 'openid profile email',
		state: `s-${Math.random().toString(36).slice(2)}`,
		nonce
	});
	const authorize = await fetch(`${options.authorizeAt}/api/auth/authorize?${params}`, { headers: { cookie: options.cookie }, redirect: 'manual' });
	const location = authorize.headers.get('location');
	const code = location ? new URL(location).searchParams.get('code') : null;
	if (authorize.status !== 302 || !code) throw new Error(`authorize answered ${authorize.status} ${location ?? ''}`);
	const token = await fetch(`${options.tokenAt}/api/auth/token`, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: options.redirectURI, ...DASHBOARD_CREDENTIALS })
	});
	const body = (await token.json()) as { id_token?: string; access_token?: string; error?: string };
	if (token.status !== 200 || !body.id_token || !body.access_token) throw new Error(`token answered ${token.status} ${JSON.stringify(body)}`);
	return { idToken: body.id_token, accessToken: body.access_token, nonce };
}

/** Polls `check` every 100 ms until it returns true or `timeoutMs` passes. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
	const started = Date.now();
	while (Date.now() - started < timeoutMs) {
		if (await check().catch(() => false)) return;
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
}
