// Issue #6, finding 12: a signing key deleted from the jwks table still verified tokens for
// minutes (each instance's in-memory cache). Now an operator revokes a compromised key with
// `npm run keys -- revoke KID`: it leaves the JWKS, a new key signs at once, and within
// seconds no instance accepts a token it signed. The CLI must reach the server's database, so
// this runs against a server of its own on Postgres (PGlite is held open by the server).
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { DASHBOARD_CREDENTIALS, dashboardTokensAt, get, postForm } from '../support/http';
import type { ProductionServer } from '../support/production-server';
import { useProductionServer } from '../support/provider-fixture';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');

/** The demo dashboard's tokens for the demo user, from a real sign-in and authorization. */
const dashboardTokens = (server: ProductionServer) => dashboardTokensAt(server.urls.provider, server.urls.site1);

async function userinfoStatus(server: ProductionServer, accessToken: string): Promise<number> {
	return (await get(`${server.urls.provider}/api/auth/userinfo`, { authorization: `Bearer ${accessToken}` })).status;
}

async function introspect(server: ProductionServer, token: string): Promise<Record<string, unknown>> {
	const response = await postForm(`${server.urls.provider}/api/auth/introspect`, { token, ...DASHBOARD_CREDENTIALS });
	return (await response.json()) as Record<string, unknown>;
}

async function publishedKids(server: ProductionServer): Promise<string[]> {
	const jwks = (await (await get(`${server.urls.provider}/api/auth/jwks`)).json()) as { keys: { kid: string }[] };
	return jwks.keys.map((k) => k.kid);
}

/** Polls `check` every 250 ms for up to `seconds`; returns its last answer. */
async function eventually<T>(check: () => Promise<T>, done: (value: T) => boolean, seconds = 30): Promise<T> {
	const deadline = Date.now() + seconds * 1000;
	let value = await check();
	while (!done(value) && Date.now() < deadline) {
		await new Promise((r) => setTimeout(r, 250));
		value = await check();
	}
	return value;
}

describe.runIf(process.env.TEST_DB === 'postgres' && process.env.TEST_DATABASE_URL)('npm run keys -- revoke KID (a compromised signing key)', () => {
	const server = useProductionServer({ port: 4376, database: 'postgres' }, 180_000);

	it('after the revocation, the server refuses tokens the key signed, stops publishing it, and signs with a new key', async () => {
		const stolen = await dashboardTokens(server);
		expect(await userinfoStatus(server, stolen.access_token)).toBe(200);
		expect(await introspect(server, stolen.access_token)).toMatchObject({ active: true });
		const kid = decodeProtectedHeader(stolen.access_token).kid!;

		const { database } = server;
		const { stdout } = await run('node', ['scripts/cli.js', 'keys', 'revoke', kid], {
			cwd: ROOT,
			env: { ...process.env, DATABASE_URL: database.url, AUTH_SECRET: database.authSecret },
			timeout: 60_000
		});
		expect(stdout).toMatch(new RegExp(`revoked ${kid} \\(RS256\\); \\S+ signs from now on`));
		expect(stdout).toMatch(new RegExp(`${kid}\\tRS256\\trevoked`));

		// Within seconds (the server re-reads key statuses every 5 s), with no restart.
		expect(
			await eventually(
				() => userinfoStatus(server, stolen.access_token),
				(s) => s === 401
			)
		).toBe(401);
		expect(await introspect(server, stolen.access_token)).toEqual({ active: false });
		expect(
			await eventually(
				() => publishedKids(server),
				(kids) => !kids.includes(kid)
			)
		).not.toContain(kid);

		const fresh = await dashboardTokens(server);
		expect(decodeProtectedHeader(fresh.access_token).kid).not.toBe(kid);
		expect(await userinfoStatus(server, fresh.access_token)).toBe(200);
	}, 120_000);

	it('revoking an unknown kid fails with a message', async () => {
		const { database } = server;
		const failure = await run('node', ['scripts/cli.js', 'keys', 'revoke', 'no-such-kid'], {
			cwd: ROOT,
			env: { ...process.env, DATABASE_URL: database.url, AUTH_SECRET: database.authSecret },
			timeout: 60_000
		}).then(
			() => null,
			(error: { code: number; stderr: string }) => error
		);
		expect(failure?.code).toBe(1);
		expect(failure?.stderr).toMatch(/no key no-such-kid/);
	}, 60_000);
});
