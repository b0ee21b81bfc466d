import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findForbiddenImports, findTableReferences, importReferences, sourceFiles } from '../support/imports';

const ROOT = resolve(import.meta.dirname, '../..');

/** The demo sites' code: it reaches the provider only over HTTP. */
const rpSources = (root: string) => [...sourceFiles(join(root, 'src/lib/server/rp')), ...sourceFiles(join(root, 'src/routes/(rp)'))];
/** What the demo sites must never import. */
const providerInternals = (root: string) => [join(root, 'src/lib/server/oidc'), join(root, 'src/lib/server/auth'), join(root, 'src/lib/server/provider.ts')];
/** Provider code, which must not touch the demo sites' tables. */
const providerSources = (root: string) => [
	...sourceFiles(join(root, 'src/lib/server/oidc')),
	...sourceFiles(join(root, 'src/lib/server/auth')),
	join(root, 'src/lib/server/provider.ts'),
	...sourceFiles(join(root, 'src/routes/(provider)'))
];
const rpSchema = (root: string) => join(root, 'src/lib/server/db/schema/rp.ts');

const format = (violations: { file: string; line: number; message: string }[]) => violations.map((v) => `${v.file}:${v.line} ${v.message}`).join('\n');

describe('boundaries: the demo sites are separate applications (ARCHITECTURE.md "One project, three origins")', () => {
	it('there is relying-party code to check', () => {
		expect(rpSources(ROOT).length).toBeGreaterThanOrEqual(5);
		expect(rpSources(ROOT).some((f) => f.includes('(rp)'))).toBe(true);
	});

	it('nothing under src/lib/server/rp/ or src/routes/(rp)/ imports oidc/, auth/ or provider.ts, directly or through other modules', () => {
		const violations = findForbiddenImports(ROOT, rpSources(ROOT), providerInternals(ROOT));
		expect(format(violations)).toBe('');
	});

	it('provider code (oidc/, auth/, provider.ts, (provider) routes) references no rp table', () => {
		const violations = findTableReferences(ROOT, providerSources(ROOT), rpSchema(ROOT));
		expect(format(violations)).toBe('');
	});
});

describe('boundaries: the checker itself catches violations', () => {
	const fake = mkdtempSync(join(tmpdir(), 'sso-boundaries-'));
	afterAll(() => rmSync(fake, { recursive: true, force: true }));
	const write = (path: string, text: string) => {
		mkdirSync(dirname(join(fake, path)), { recursive: true });
		writeFileSync(join(fake, path), text);
	};
	write('src/lib/server/oidc/keys.ts', 'export const x = 1;\n');
	write('src/lib/server/auth/session.ts', 'export const y = 1;\n');
	write('src/lib/server/provider.ts', 'export const p = 1;\n');
	write('src/lib/server/shared.ts', "export { x } from './oidc/keys';\n");
	write(
		'src/lib/server/db/schema/rp.ts',
		"import { pgTable, text } from 'drizzle-orm/pg-core';\nexport const rpSessions = pgTable('rp_session', { id: text('id') });\n"
	);
	write('src/lib/server/db/schema/index.ts', "export * from './rp';\n");

	const check = (path: string, text: string) => {
		write(path, text);
		return findForbiddenImports(fake, [join(fake, path)], providerInternals(fake));
	};

	it.each([
		['relative static import', 'src/lib/server/rp/a.ts', "import { x } from '../oidc/keys';"],
		['relative import with .js', 'src/lib/server/rp/b.ts', "import { x } from '../oidc/keys.js';"],
		['$lib alias', 'src/lib/server/rp/c.ts', "import { y } from '$lib/server/auth/session';"],
		['type-only import', 'src/lib/server/rp/d.ts', "import type { y } from '$lib/server/auth/session';"],
		['re-export', 'src/lib/server/rp/e.ts', "export * from '../provider';"],
		['dynamic import', 'src/lib/server/rp/f.ts', "export const load = () => import('../oidc/keys');"],
		['dynamic import via $lib in a template literal', 'src/lib/server/rp/g.ts', 'export const load = () => import(`$lib/server/provider`);'],
		['transitive, through a shared module', 'src/lib/server/rp/h.ts', "import { x } from '../shared';"],
		['a route file', 'src/routes/(rp)/+page.server.ts', "import { provider } from '$lib/server/provider';"],
		[
			'a Svelte component script',
			'src/routes/(rp)/+page.svelte',
			'<script lang="ts">\n\timport { y } from \'$lib/server/auth/session\';\n</script>\n<p>hi</p>'
		],
		['a directory import', 'src/lib/server/rp/i.ts', "import '../oidc';"],
		['a computed dynamic import (cannot be checked)', 'src/lib/server/rp/j.ts', "const name = '../oidc/keys'; export const load = () => import(name);"],
		['import.meta.glob', 'src/lib/server/rp/k.ts', "export const all = import.meta.glob('../oidc/*.ts');"]
	])('flags %s', (_, path, text) => {
		write('src/lib/server/oidc/index.ts', 'export {};\n');
		expect(check(path, text).length).toBeGreaterThan(0);
	});

	it('does not flag allowed imports (packages, $app, $env, the shared schema, comments and strings)', () => {
		const violations = check(
			'src/lib/server/rp/ok.ts',
			[
				"import { redirect } from '@sveltejs/kit';",
				"import { page } from '$app/state';",
				"import { env } from '$env/dynamic/private';",
				"import { rpSessions } from '../db/schema';",
				"// import { x } from '../oidc/keys';",
				'const text = "import { x } from \'../oidc/keys\'";'
			].join('\n')
		);
		expect(format(violations)).toBe('');
	});

	it('parses every import form', () => {
		const refs = importReferences(
			[
				"import a from 'a';",
				"import { b, c as d } from 'b';",
				"import * as e from 'e';",
				"import 'side-effect';",
				"import type { T } from 't';",
				"export { f } from 'f';",
				"export * from 'g';",
				"const h = await import('h');",
				"const i = require('i');",
				"type J = typeof import('j');"
			].join('\n')
		);
		expect(refs.map((r) => r.specifier)).toEqual(['a', 'b', 'e', 'side-effect', 't', 'f', 'g', 'h', 'i', 'j']);
		expect(refs.find((r) => r.specifier === 'b')!.names).toEqual(['b', 'c']);
	});

	it.each([
		['imports rp.ts directly', "import { rpSessions } from '../db/schema/rp';"],
		['imports an rp table through the schema index', "import { rpSessions, users } from '../db/schema';"],
		['uses a namespace member', "import * as schema from '../db/schema';\nexport const t = schema.rpSessions;"],
		['uses the relational query API', 'export const q = (db: any) => db.query.rpSessions.findMany();'],
		['names the table in SQL', "export const q = (db: any) => db.execute('select * from rp_session');"],
		['names the table in a template literal', 'export const q = (sql: any) => sql`delete from rp_session where id = ${1}`;']
	])('flags provider code that %s', (_, text) => {
		write('src/lib/server/oidc/bad.ts', text);
		const violations = findTableReferences(fake, [join(fake, 'src/lib/server/oidc/bad.ts')], rpSchema(fake));
		expect(violations.length).toBeGreaterThan(0);
	});

	it('does not flag provider code using other tables from the schema index', () => {
		write('src/lib/server/oidc/good.ts', "import { users, sessions } from '../db/schema';\nexport const t = [users, sessions];");
		expect(format(findTableReferences(fake, [join(fake, 'src/lib/server/oidc/good.ts')], rpSchema(fake)))).toBe('');
	});
});
