import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** One module reference found in a source file. */
export interface ImportReference {
	/** The string as written, or null when it is not a literal (e.g. `import(name)`). */
	specifier: string | null;
	kind: 'static' | 'dynamic' | 'require' | 'type' | 'glob';
	line: number;
	/** Named bindings of a static import (`import { a, b as c }` → a, b); '*' for a namespace. */
	names: string[];
}

const SOURCE_EXTENSIONS = ['.ts', '.js', '.mjs', '.cjs', '.mts', '.cts', '.svelte'];

/** Every source file under `dir` (recursive), as absolute paths. */
export function sourceFiles(dir: string): string[] {
	if (!existsSync(dir)) return [];
	const out: string[] = [];
	for (const entry of readdirSync(dir)) {
		const path = join(dir, entry);
		if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
		else if (SOURCE_EXTENSIONS.some((ext) => path.endsWith(ext))) out.push(path);
	}
	return out.sort();
}

/** The TypeScript/JavaScript of a file: for .svelte, the contents of its <script> blocks. */
export function scriptText(file: string): string {
	const text = readFileSync(file, 'utf8');
	if (!file.endsWith('.svelte')) return text;
	// Keep line numbers: blank out everything outside the script blocks.
	let result = text.replace(/[^\n]/g, ' ');
	for (const match of text.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)) {
		const start = match.index! + match[0].indexOf('>') + 1;
		const body = match[1];
		result = result.slice(0, start) + body + result.slice(start + body.length);
	}
	return result;
}

/** Parses `text` with the TypeScript compiler and lists every module it references. */
export function importReferences(text: string, fileName = 'file.ts'): ImportReference[] {
	const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
	const refs: ImportReference[] = [];
	const lineOf = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
	const literal = (node: ts.Node | undefined): string | null =>
		node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : null;

	const visit = (node: ts.Node) => {
		if (ts.isImportDeclaration(node)) {
			const names: string[] = [];
			const bindings = node.importClause?.namedBindings;
			if (node.importClause?.name) names.push('default');
			if (bindings && ts.isNamespaceImport(bindings)) names.push('*');
			if (bindings && ts.isNamedImports(bindings)) for (const el of bindings.elements) names.push((el.propertyName ?? el.name).text);
			refs.push({ specifier: literal(node.moduleSpecifier), kind: node.importClause?.isTypeOnly ? 'type' : 'static', line: lineOf(node), names });
		} else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
			const names: string[] = [];
			if (!node.exportClause) names.push('*');
			else if (ts.isNamedExports(node.exportClause)) for (const el of node.exportClause.elements) names.push((el.propertyName ?? el.name).text);
			else names.push('*');
			refs.push({ specifier: literal(node.moduleSpecifier), kind: node.isTypeOnly ? 'type' : 'static', line: lineOf(node), names });
		} else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
			refs.push({ specifier: literal(node.moduleReference.expression), kind: 'require', line: lineOf(node), names: ['*'] });
		} else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
			refs.push({ specifier: literal(node.argument.literal), kind: 'type', line: lineOf(node), names: ['*'] });
		} else if (ts.isCallExpression(node)) {
			const callee = node.expression;
			if (callee.kind === ts.SyntaxKind.ImportKeyword) {
				refs.push({ specifier: literal(node.arguments[0]), kind: 'dynamic', line: lineOf(node), names: ['*'] });
			} else if (ts.isIdentifier(callee) && callee.text === 'require' && node.arguments.length === 1) {
				refs.push({ specifier: literal(node.arguments[0]), kind: 'require', line: lineOf(node), names: ['*'] });
			} else if (ts.isPropertyAccessExpression(callee) && callee.getText(source).replace(/\s/g, '') === 'import.meta.glob') {
				const first = node.arguments[0];
				const patterns = first && ts.isArrayLiteralExpression(first) ? [...first.elements] : [first];
				for (const p of patterns) refs.push({ specifier: literal(p), kind: 'glob', line: lineOf(node), names: ['*'] });
			}
		}
		ts.forEachChild(node, visit);
	};
	visit(source);
	return refs;
}

/** Where a specifier points inside the project, or 'external' (packages, $app, $env, node:). */
export function resolveSpecifier(root: string, fromFile: string, specifier: string): string | 'external' | 'generated' | null {
	let base: string;
	if (specifier === '$lib' || specifier.startsWith('$lib/')) base = join(root, 'src/lib', specifier.slice(4));
	else if (specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..') base = resolve(dirname(fromFile), specifier);
	else if (specifier.startsWith('/')) base = join(root, specifier);
	else return 'external';
	// SvelteKit's generated route types.
	if (/(^|\/)\$types(\.js|\.d\.ts)?$/.test(specifier)) return 'generated';
	const candidates = [base];
	if (/\.(js|mjs|cjs)$/.test(base)) candidates.push(base.replace(/\.(m|c)?js$/, '.$1ts'));
	for (const ext of SOURCE_EXTENSIONS) candidates.push(base + ext);
	for (const ext of SOURCE_EXTENSIONS) candidates.push(join(base, 'index' + ext));
	for (const candidate of candidates) {
		if (existsSync(candidate) && statSync(candidate).isFile()) return realpathSync(candidate);
	}
	return null;
}

/** Whether a glob pattern (import.meta.glob) could match something under `dir`. */
function globReaches(root: string, fromFile: string, pattern: string, dir: string): boolean {
	const negated = pattern.startsWith('!');
	if (negated) return false;
	const staticPrefix = pattern.split(/[*?{[]/)[0];
	const resolved = resolveBase(root, fromFile, staticPrefix);
	if (!resolved) return false;
	return resolved.startsWith(dir) || dir.startsWith(resolved);
}

function resolveBase(root: string, fromFile: string, prefix: string): string | null {
	if (prefix.startsWith('$lib')) return join(root, 'src/lib', prefix.slice(4));
	if (prefix.startsWith('.')) return resolve(dirname(fromFile), prefix);
	if (prefix.startsWith('/')) return join(root, prefix);
	return null;
}

export interface BoundaryViolation {
	file: string;
	line: number;
	message: string;
}

const rel = (root: string, path: string) => relative(root, path).split(sep).join('/');

/**
 * Files under `sources` must not reach `forbidden` (directories, or single files), directly or
 * through other project modules. Non-literal dynamic imports and unresolvable relative
 * imports are violations too: they cannot be checked.
 */
export function findForbiddenImports(root: string, sources: string[], forbidden: string[]): BoundaryViolation[] {
	root = realpathSync(root);
	const forbiddenReal = forbidden.filter(existsSync).map((p) => realpathSync(p));
	const isForbidden = (path: string) => forbiddenReal.some((f) => path === f || path.startsWith(f + sep));
	const violations: BoundaryViolation[] = [];
	const graph = new Map<string, { target: string; line: number }[]>();

	const edges = (file: string): { target: string; line: number }[] => {
		const cached = graph.get(file);
		if (cached) return cached;
		const out: { target: string; line: number }[] = [];
		graph.set(file, out);
		for (const ref of importReferences(scriptText(file), file)) {
			if (ref.specifier === null) {
				out.push({ target: `unresolvable:${ref.kind} import with a computed specifier`, line: ref.line });
				continue;
			}
			if (ref.kind === 'glob') {
				for (const f of forbiddenReal) if (globReaches(root, file, ref.specifier, f)) out.push({ target: f, line: ref.line });
				continue;
			}
			const target = resolveSpecifier(root, file, ref.specifier);
			if (target === 'external' || target === 'generated') continue;
			if (target === null) out.push({ target: `unresolvable:${ref.specifier}`, line: ref.line });
			else out.push({ target, line: ref.line });
		}
		return out;
	};

	for (const start of sources.map((s) => realpathSync(s))) {
		// Breadth-first through project modules, remembering how each was reached.
		const via = new Map<string, string[]>([[start, []]]);
		const queue = [start];
		while (queue.length) {
			const file = queue.shift()!;
			for (const { target, line } of edges(file)) {
				const chain = [...via.get(file)!, `${rel(root, file)}:${line}`];
				if (target.startsWith('unresolvable:')) {
					if (file === start) violations.push({ file: rel(root, start), line, message: `cannot check ${target.slice(13)}` });
					continue;
				}
				if (isForbidden(target)) {
					violations.push({
						file: rel(root, start),
						line: Number(chain[0].split(':').pop()),
						message: `imports ${rel(root, target)} (via ${chain.join(' → ')})`
					});
					continue;
				}
				if (!via.has(target)) {
					via.set(target, chain);
					queue.push(target);
				}
			}
		}
	}
	return violations;
}

/** Exported names and SQL table names declared in a drizzle schema file. */
export function schemaDeclarations(file: string): { exports: string[]; tables: string[] } {
	const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
	const exports: string[] = [];
	const tables: string[] = [];
	const visit = (node: ts.Node) => {
		if (ts.isVariableStatement(node) && node.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
			for (const d of node.declarationList.declarations) if (ts.isIdentifier(d.name)) exports.push(d.name.text);
		}
		if ((ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node)) && node.name && node.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
			exports.push(node.name.text);
		}
		if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && /^pg(Table|View|MaterializedView)$/.test(node.expression.text)) {
			const first = node.arguments[0];
			if (first && ts.isStringLiteral(first)) tables.push(first.text);
		}
		ts.forEachChild(node, visit);
	};
	visit(source);
	return { exports, tables };
}

/**
 * Provider files must not touch the demo sites' tables: no import of the rp schema file, no
 * import of its exports through the schema index, no `schema.rpX` / `db.query.rpX`, and no
 * SQL naming an rp table.
 */
export function findTableReferences(root: string, sources: string[], schemaFile: string): BoundaryViolation[] {
	const schemaReal = realpathSync(schemaFile);
	const { exports, tables } = schemaDeclarations(schemaReal);
	const violations: BoundaryViolation[] = [];
	for (const file of sources) {
		const text = scriptText(file);
		const name = rel(root, file);
		for (const ref of importReferences(text, file)) {
			if (ref.specifier === null) continue;
			const target = resolveSpecifier(root, file, ref.specifier);
			if (target === schemaReal) violations.push({ file: name, line: ref.line, message: `imports the rp schema ${ref.specifier}` });
			else
				for (const n of ref.names)
					if (exports.includes(n)) violations.push({ file: name, line: ref.line, message: `imports rp table ${n} from ${ref.specifier}` });
		}
		const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
		const visit = (node: ts.Node) => {
			const line = () => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
			if (ts.isIdentifier(node) && exports.includes(node.text) && !ts.isImportSpecifier(node.parent)) {
				violations.push({ file: name, line: line(), message: `references rp table ${node.text}` });
			}
			if (
				(ts.isStringLiteral(node) ||
					ts.isNoSubstitutionTemplateLiteral(node) ||
					ts.isTemplateHead(node) ||
					ts.isTemplateMiddle(node) ||
					ts.isTemplateTail(node)) &&
				tables.some((t) => new RegExp(`\\b${t}\\b`).test(node.text))
			) {
				violations.push({ file: name, line: line(), message: `names an rp table in SQL or a string: ${JSON.stringify(node.text.slice(0, 60))}` });
			}
			ts.forEachChild(node, visit);
		};
		visit(source);
	}
	return violations;
}
