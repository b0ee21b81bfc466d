// `npm run cleanup` as an operator runs it, against an embedded database of its own.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/lib/server/db/index';
import { jobLeases, sessions, users } from '../../src/lib/server/db/schema';
import { MIGRATIONS_FOLDER } from '../support/database';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'sso-cli-cleanup-'));
const dataDir = join(dir, 'pglite');
const env = { ...process.env, PGLITE_DIR: dataDir, DATABASE_URL: '', AUTH_SECRET: randomBytes(32).toString('base64url') };

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function withDatabase(work: (db: Awaited<ReturnType<typeof openDatabase>>['db']) => Promise<void>) {
	const handle = await openDatabase({ dataDir }, MIGRATIONS_FOLDER);
	try {
		await work(handle.db);
	} finally {
		await handle.close();
	}
}

function cleanup() {
	return run('node', ['scripts/cli.js', 'cleanup'], { cwd: ROOT, env, timeout: 60_000 }).then(
		({ stdout }) => ({ code: 0, stdout }),
		(error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout })
	);
}

describe.runIf(process.env.TEST_DB !== 'postgres')('npm run cleanup', () => {
	it('prints what it removed', async () => {
		const past = new Date(Date.now() - 40 * 86_400_000);
		await withDatabase(async (db) => {
			await db.insert(users).values({ id: 'u-cli', email: 'cli-cleanup@example.com', name: 'U', createdAt: past, updatedAt: past });
			await db
				.insert(sessions)
				.values({ id: 's-cli', secretHash: 'x', userId: 'u-cli', authTime: past, createdAt: past, expiresAt: new Date(Date.now() - 1000) });
		});
		const { code, stdout } = await cleanup();
		expect(code).toBe(0);
		expect(stdout).toMatch(/^sessions\s+1$/m);
		expect(stdout).toMatch(/^abandonedClients\s+0$/m);
	}, 180_000);

	it('does nothing, and says so, while another instance holds the lease', async () => {
		await withDatabase(async (db) => {
			const lease = { holder: 'server@elsewhere', leaseUntil: new Date(Date.now() + 300_000) };
			await db
				.insert(jobLeases)
				.values({ name: 'cleanup', ...lease })
				.onConflictDoUpdate({ target: jobLeases.name, set: lease });
		});
		const { code, stdout } = await cleanup();
		expect(code).toBe(1);
		expect(stdout).toMatch(/another clean-up is running \(server@elsewhere, lease until .+\); nothing done/);
	}, 180_000);
});
