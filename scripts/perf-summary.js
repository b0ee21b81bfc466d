// Summarises a `perf record -g` of the server (from `npm run bench -- --perf DIR`): where the
// server's on-CPU time went, by thread, by origin of the code, and by function.
//
//   node scripts/perf-summary.js DIR/perf-<db>.data [--flows N] [--top 25] [--match REGEX ...]
//
// --match REGEX (repeatable) also prints, per pattern, the samples whose nearest JS frame
// matches (self) and those with any matching frame on the stack (inclusive, sync stack only).
// Each sample is charged to an "owner": GC and V8 compilation by their V8 frames, thread-pool
// work by its job (WebCrypto RSA signing), anything else to the nearest JavaScript frame
// (so a megamorphic property load or a write syscall counts for the JS function that made it),
// grouped by the file it comes from. --flows N also prints ms per flow. Needs `perf` and the
// /tmp/perf-<pid>.map that `node --perf-basic-prof` wrote.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { basename, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
	allowPositionals: true,
	options: { flows: { type: 'string' }, top: { type: 'string', default: '25' }, match: { type: 'string', multiple: true, default: [] } }
});
if (!positionals[0]) {
	console.error('usage: node scripts/perf-summary.js perf.data [--flows N] [--top N]');
	process.exit(2);
}
const FLOWS = values.flows ? Number(values.flows) : 0;
const TOP = Number(values.top);

// App modules: a bundled chunk named after one of these (or a route entry) is our code; the
// other chunks under build/server are SvelteKit's runtime.
const SRC = fileURLToPath(new URL('../src', import.meta.url));
const appModules = new Set();
(function walk(dir) {
	for (const entry of readdirSync(dir, { withFileTypes: true })) {
		if (entry.isDirectory()) walk(join(dir, entry.name));
		else appModules.add(basename(entry.name, extname(entry.name)));
	}
})(SRC);

function jsCategory(url) {
	if (url.startsWith('wasm') || url === '') return 'PGlite (Postgres compiled to WebAssembly)';
	if (url.startsWith('node:internal/deps/undici')) return 'SvelteKit request overhead: undici Request/Response/Headers';
	if (url.startsWith('node:internal/webstreams')) return 'SvelteKit request overhead: WHATWG streams';
	if (/^node:(_http|http|net|internal\/http|internal\/streams|stream|internal\/stream_base)/.test(url)) return 'Node http/net/streams';
	if (url.startsWith('node:internal/crypto') || url === 'node:crypto') return 'node:crypto JS glue (WebCrypto, randomFill)';
	if (url.startsWith('node:internal/async_hooks') || url === 'node:async_hooks') return 'async_hooks (AsyncLocalStorage: Kit/drizzle tracing)';
	if (url.startsWith('node:')) return `Node other (${url.replace(/^node:(internal\/)?/, '').split(/[/:]/)[0]})`;
	const pkg = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1];
	if (pkg === '@electric-sql/pglite') return 'PGlite (JS side: protocol, parsing, FS)';
	if (pkg) return `npm ${pkg}`;
	if (url.includes('/build/server/chunks/')) {
		const file = url.split('/build/server/chunks/')[1];
		if (file.startsWith('handler-')) return 'SvelteKit request overhead: adapter-node handler';
		const chunk = basename(file)
			.replace(/\.js-[^/]*$/, '')
			.replace(/\d+$/, '');
		if (file.startsWith('entries/') || file.startsWith('nodes/') || appModules.has(chunk)) return 'app code (src/, bundled)';
		return 'SvelteKit request overhead: Kit runtime (respond, hooks, render)';
	}
	if (url.includes('/scripts/serve.js')) return 'scripts/serve.js';
	return url;
}

const GC = /v8::internal::(Heap::|Scavenger|MarkCompact|ConcurrentMarking|IncrementalMarking|MinorM|.*Sweeper|MemoryAllocator|GCTracer)|v8::internal::heap::/;
// V8's parsers, compiler tiers and the bytecode generator: time spent compiling rather than running JavaScript.
const V8_COMPILE_FRAMES = [
	'compiler::',
	'Compiler::',
	'maglev::',
	'baseline::',
	'Parser',
	'PreParser',
	'Scanner',
	'Zone::',
	'OptimizingCompile',
	'interpreter::BytecodeGenerator'
];
const COMPILE = new RegExp(`v8::internal::(${V8_COMPILE_FRAMES.join('|')})|Builtins_CompileLazy`);
const RSA = /SignTraits|RSA_sign|rsa_ossl|BN_mod_exp/;
const POOL = /ThreadPoolWork|uv__threadpool|^worker$/;

function parseFrame(line) {
	// "\t    7fb2ec1ceee7 JS:*name file:///...:83:36 (/tmp/perf-4110.map)"
	const m = line.trim().match(/^[0-9a-f]+ (.*) \(([^)]*)\)$/);
	if (!m) return { sym: line.trim(), dso: '' };
	return { sym: m[1].replace(/\+0x[0-9a-f]+$/, ''), dso: m[2] };
}

function ownerOf(frames, isMain) {
	// Only the native frames above the nearest JS frame decide GC / compile / RSA: lower down,
	// e.g. a sign job's completion callback is the root of the JS that continues after it.
	const nearestJS = frames.findIndex((f) => f.sym.startsWith('JS:'));
	const native = (nearestJS < 0 ? frames : frames.slice(0, nearestJS)).map((f) => f.sym);
	if (native.some((s) => RSA.test(s))) return 'RSA signing (OpenSSL, libuv thread pool)';
	if (native.some((s) => GC.test(s))) return isMain ? 'GC (main thread)' : 'GC (V8 helper threads)';
	if (native.some((s) => COMPILE.test(s))) return isMain ? 'V8 compile/parse (main thread)' : 'V8 compile (background threads)';
	if (!isMain) {
		if (native.some((s) => POOL.test(s))) return 'thread pool: other';
		return 'other threads: other';
	}
	for (const f of frames.slice(Math.max(0, nearestJS))) {
		if (!f.sym.startsWith('JS:')) continue;
		if (/^JS:(wasm-function|wasm-to-js|js-to-wasm)/.test(f.sym)) return jsCategory('wasm');
		const url = f.sym.match(/ ((?:file|node):\S+?)(?::\d+:\d+)?$/)?.[1];
		if (url) return jsCategory(url);
	}
	if (native.some((s) => /uv__read|uv__write|uv__stream|Stream/.test(s))) return 'Node/libuv I/O (no JS on stack)';
	if (native.some((s) => s.includes('uv_run'))) return 'event loop (libuv, no JS on stack)';
	return 'main thread: other native';
}

function leafKind(frame) {
	if (frame.dso.includes('kernel')) return 'kernel';
	if (frame.sym.startsWith('JS:wasm')) return 'WebAssembly';
	if (frame.sym.startsWith('JS:')) return 'JIT-compiled JS';
	if (frame.sym.startsWith('Builtins_')) return 'V8 builtins (ICs, promises, calls)';
	if (frame.sym.startsWith('v8::')) return 'V8 runtime (C++)';
	if (/ossl|RSA|BN_|bn_|EVP|sha256|SHA256/.test(frame.sym)) return 'OpenSSL';
	if (frame.dso.includes('libc')) return 'libc (malloc, memcpy)';
	if (frame.sym.startsWith('node::') || frame.sym.startsWith('uv_') || frame.sym.startsWith('uv__')) return 'Node/libuv C++';
	if (frame.sym.startsWith('[') || frame.dso.startsWith('/tmp/perf-')) return 'unresolved JIT code';
	return 'other native';
}

const byOwner = new Map();
const byLeaf = new Map();
const byKind = new Map();
const byJS = new Map();
const byThread = new Map();
const matchers = values.match.map((m) => ({ source: m, re: new RegExp(m), self: 0, inclusive: 0 }));
let total = 0;
const add = (map, key) => map.set(key, (map.get(key) ?? 0) + 1);

const perf = spawn('perf', ['script', '-i', positionals[0], '-F', 'pid,tid,ip,sym,dso'], { stdio: ['ignore', 'pipe', 'ignore'] });
let header = null;
let frames = [];
function flush() {
	if (!header) return;
	const [pid, tid] = header;
	const isMain = pid === tid;
	total++;
	const owner = ownerOf(frames, isMain);
	add(byThread, isMain ? 'main thread (JS event loop)' : owner.startsWith('RSA') ? 'libuv thread pool (RSA signing)' : 'other threads (GC, compiler, pool)');
	add(byOwner, owner);
	if (frames[0]) {
		add(byLeaf, frames[0].sym.replace(/ file:\/\/\/.*\/(node_modules|build)\//, ' $1/'));
		add(byKind, leafKind(frames[0]));
	}
	if (isMain) {
		const js = frames.find((f) => f.sym.startsWith('JS:'));
		if (js) add(byJS, js.sym.replace(/^JS:[*~^+]?/, '').replace(/file:\/\/\/.*\/(node_modules|build)\//, '$1/'));
		for (const m of matchers) {
			if (js && m.re.test(js.sym)) m.self++;
			if (frames.some((f) => f.sym.startsWith('JS:') && m.re.test(f.sym))) m.inclusive++;
		}
	}
	header = null;
	frames = [];
}
for await (const line of createInterface({ input: perf.stdout })) {
	if (!line.trim()) continue;
	if (!line.startsWith('\t') && !line.startsWith(' '.repeat(8))) {
		flush();
		const m = line.trim().match(/^(\d+)\/(\d+)/) ?? line.trim().match(/^(\d+)\s+(\d+)/);
		header = m ? [m[1], m[2]] : ['?', '?'];
	} else frames.push(parseFrame(line));
}
flush();
if (!total) {
	console.error('no samples (is perf installed, and is the file from `perf record -g`?)');
	process.exit(1);
}

// cpu-clock at -F 999: one sample ≈ 1 ms of CPU.
const MS_PER_SAMPLE = 1000 / 999;
function print(title, map, limit = Infinity) {
	console.log(`\n${title}`);
	const sorted = [...map].sort((a, b) => b[1] - a[1]);
	const shown = sorted.slice(0, limit);
	const rest = sorted.slice(limit).reduce((a, [, n]) => a + n, 0);
	if (rest && limit >= sorted.length - 1) shown.push(...sorted.slice(limit));
	else if (rest) shown.push([`(${sorted.length - limit} more)`, rest]);
	for (const [k, n] of shown) {
		const perFlow = FLOWS ? `${((n * MS_PER_SAMPLE) / FLOWS).toFixed(3).padStart(7)} ms/flow ` : '';
		console.log(`${((n / total) * 100).toFixed(1).padStart(5)}%  ${perFlow} ${k}`);
	}
}
const perFlowTotal = FLOWS ? `, ${((total * MS_PER_SAMPLE) / FLOWS).toFixed(2)} ms per flow` : '';
console.log(`${total} samples ≈ ${((total * MS_PER_SAMPLE) / 1000).toFixed(2)} s of server CPU${perFlowTotal}`);
print('by thread:', byThread);
print('by owner (nearest JS frame, or GC / compiler / RSA job):', byOwner, TOP);
print('by kind of leaf code:', byKind);
print(`top ${TOP} leaf symbols (self):`, byLeaf, TOP);
print(`top ${TOP} JS functions on the main thread (self + the natives/builtins they call):`, byJS, TOP);
if (matchers.length) {
	console.log('\n--match (main thread; inclusive counts the synchronous stack only):');
	for (const m of matchers) {
		const fmt = (n) => `${((n / total) * 100).toFixed(1).padStart(5)}%${FLOWS ? ` ${((n * MS_PER_SAMPLE) / FLOWS).toFixed(3).padStart(7)} ms/flow` : ''}`;
		console.log(`self ${fmt(m.self)}   inclusive ${fmt(m.inclusive)}   /${m.source}/`);
	}
}
