// The operator commands, run as an operator would: `node scripts/cli.js ...` (what
// `npm run clients` / `npm run keys` call) against an embedded database of their own.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'sso-cli-'));
const env = { ...process.env, PGLITE_DIR: join(dir, 'pglite'), DATABASE_URL: '', AUTH_SECRET: randomBytes(32).toString('base64url') };

async function cli(...args: string[]): Promise<string> {
	const { stdout } = await run('node', ['scripts/cli.js', ...args], { cwd: ROOT, env, timeout: 60_000 });
	return stdout;
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

// One project is enough: the commands run the same modules the server does.
describe.runIf(process.env.TEST_DB !== 'postgres')('npm run clients / npm run keys', () => {
	it('clients: add prints a secret once, list shows the client, remove deletes it', async () => {
		const added = await cli('clients', 'add', '--name', 'Billing', '--redirect-uri', 'https://billing.example.com/callback', '--id', 'billing');
		expect(added).toMatch(/client_id:\s+billing/);
		const secret = added.match(/client_secret:\s+(\S+)/)?.[1];
		expect(secret?.length).toBeGreaterThanOrEqual(32);
		const listed = await cli('clients', 'list');
		expect(listed).toContain('billing\tBilling\tclient_secret_basic');
		expect(listed).toContain('https://billing.example.com/callback');
		// Only the hash is stored: the secret never appears again.
		expect(listed).not.toContain(secret);
		expect(await cli('clients', 'remove', 'billing')).toMatch(/removed billing/);
		expect(await cli('clients', 'list')).not.toContain('billing');
	}, 120_000);

	it('clients: add refuses a missing redirect URI with a message, not a stack trace', async () => {
		const failure = await cli('clients', 'add', '--name', 'Nowhere').then(
			() => null,
			(error: { code: number; stderr: string }) => error
		);
		expect(failure?.code).toBe(1);
		expect(failure?.stderr.trim()).toBe('add needs --name and at least one --redirect-uri');
	}, 60_000);

	it('resources add declares an API; clients add/allow give a client its resources and scopes; initial-token prints a token once', async () => {
		expect(
			await cli('resources', 'add', '--id', 'https://billing.example.com/api', '--name', 'Billing', '--scope', 'billing:read', '--scope', 'billing:write')
		).toContain('resource server https://billing.example.com/api\tBilling\tscopes: billing:read billing:write');
		const added = await cli(
			'clients',
			'add',
			'--name',
			'Exporter',
			'--id',
			'exporter',
			'--redirect-uri',
			'https://exporter.example.com/cb',
			'--auth-method',
			'client_secret_post',
			'--grant-type',
			'client_credentials',
			'--resource',
			'https://billing.example.com/api',
			'--scope',
			'billing:read'
		);
		expect(added).toMatch(/client_id:\s+exporter/);
		// A scope no declared API defines is refused with a message.
		const refused = await cli('clients', 'allow', 'exporter', '--resource', 'https://billing.example.com/api', '--scope', 'admin').then(
			() => null,
			(error: { code: number; stderr: string }) => error
		);
		expect(refused?.code).toBe(1);
		expect(refused?.stderr).toMatch(/scope "admin" is not defined/);
		const token = await cli(
			'clients',
			'initial-token',
			'--description',
			'partner onboarding',
			'--grant-type',
			'client_credentials',
			'--resource',
			'https://billing.example.com/api',
			'--scope',
			'billing:write',
			'--uses',
			'3'
		);
		expect(token).toMatch(/^initial_access_token: [a-z2-7]{50,}$/m);
		const listed = await cli('clients', 'list');
		expect(listed).toContain('exporter\tExporter\tclient_secret_post');
		expect(listed).toContain('resources: https://billing.example.com/api');
		expect(listed).toContain('scopes: billing:read');
	}, 400_000);

	it('keys rotate publishes a next key per algorithm while the active ones keep signing', async () => {
		const output = await cli('keys', 'rotate');
		expect(output).toMatch(/start signing in 15 minutes/);
		const rows = output.split('\n').filter((line) => /\t(RS256|ES256|EdDSA)\t/.test(line));
		for (const alg of ['RS256', 'ES256', 'EdDSA']) {
			const states = rows.filter((r) => r.includes(`\t${alg}\t`)).map((r) => r.split('\t')[2]);
			expect(states.sort(), alg).toEqual(['active', 'next']);
		}
		// A second rotation while one is pending adds nothing.
		expect(await cli('keys', 'rotate')).toMatch(/already scheduled/);
	}, 120_000);
});
