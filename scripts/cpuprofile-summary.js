// Summarises a V8 .cpuprofile (from `node --cpu-prof`, e.g. `npm run bench -- --profile DIR`):
// top self-time functions, and self time grouped by where the code comes from.
//
//   node scripts/cpuprofile-summary.js FILE.cpuprofile [--top 30] [--from SECONDS] [--to SECONDS]
//
// --from/--to keep only samples in that window (seconds since the profile started), e.g. to
// leave out start-up (migrations, seed) or a later JWKS run. Main thread only: work that
// Node hands to the libuv thread pool (WebCrypto signing, argon2, fs) is not sampled here.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
	allowPositionals: true,
	options: { top: { type: 'string', default: '30' }, from: { type: 'string' }, to: { type: 'string' } }
});
if (!positionals[0]) {
	console.error('usage: node scripts/cpuprofile-summary.js FILE.cpuprofile [--top N] [--from S] [--to S]');
	process.exit(2);
}
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Self time per node from the sample stream (each sample owns the delta to the next one).
const from = values.from === undefined ? -Infinity : Number(values.from) * 1e6;
const to = values.to === undefined ? Infinity : Number(values.to) * 1e6;
const selfUs = new Map();
let t = 0;
for (let i = 0; i < profile.samples.length; i++) {
	t += profile.timeDeltas[i] ?? 0;
	if (t < from || t > to) continue;
	const dt = profile.timeDeltas[i + 1] ?? 0;
	selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + dt);
}

function category(frame) {
	const { url, functionName } = frame;
	if (!url) {
		if (functionName === '(idle)') return 'idle (waiting: I/O, thread pool, Postgres)';
		if (functionName === '(garbage collector)') return 'garbage collector';
		if (functionName === '(program)') return 'V8/native (program)';
		if (/^(js-to-wasm|wasm-to-js|wasm-function|\$)/.test(functionName) || functionName.startsWith('wasm')) return 'PGlite (WebAssembly)';
		return `native: ${functionName || '(anonymous)'}`;
	}
	if (url.includes('.wasm') || url.startsWith('wasm://')) return 'PGlite (WebAssembly)';
	if (
		url.startsWith('node:internal/http') ||
		url.startsWith('node:_http') ||
		url.startsWith('node:http') ||
		url.includes('node:internal/streams') ||
		url.startsWith('node:net') ||
		url.startsWith('node:stream')
	)
		return 'Node http/net/streams';
	if (url.startsWith('node:internal/deps/undici') || url.includes('undici')) return 'undici (Request/Response/Headers, WHATWG streams)';
	if (url.startsWith('node:internal/webstreams')) return 'WHATWG streams';
	if (url.startsWith('node:internal/crypto') || url.startsWith('node:crypto')) return 'node:crypto / WebCrypto (JS side)';
	if (url.startsWith('node:')) return `Node other (${url.replace(/^node:(internal\/)?/, '').split('/')[0]})`;
	const m = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
	if (m) return `npm ${m[1]}`;
	if (url.includes('/build/server/')) return 'build/server (SvelteKit runtime + app code, bundled)';
	if (url.includes('/build/')) return 'build/ (adapter-node handler)';
	if (url.includes('/scripts/')) return 'scripts/serve.js';
	return url;
}

let total = 0;
const byFunction = new Map();
const byCategory = new Map();
for (const [id, us] of selfUs) {
	const frame = nodes.get(id).callFrame;
	total += us;
	const file = frame.url ? frame.url.replace(/^.*\/(node_modules|build)\//, '$1/').replace(/^file:\/\//, '') : '';
	const key = `${frame.functionName || '(anonymous)'}  ${file}${file ? `:${frame.lineNumber + 1}` : ''}`;
	byFunction.set(key, (byFunction.get(key) ?? 0) + us);
	const cat = category(frame);
	byCategory.set(cat, (byCategory.get(cat) ?? 0) + us);
}
const idle = [...byCategory].filter(([k]) => k.startsWith('idle')).reduce((a, [, v]) => a + v, 0);
const busy = total - idle;
const ms = (us) => (us / 1000).toFixed(0).padStart(7);
const share = (us) => `${((us / busy) * 100).toFixed(1).padStart(5)}%`;

console.log(`profile: ${(total / 1e6).toFixed(2)} s sampled, ${(busy / 1e6).toFixed(2)} s busy on the main thread (shares below are of busy time)\n`);
console.log('self time by origin:');
for (const [k, v] of [...byCategory].sort((a, b) => b[1] - a[1])) if (!k.startsWith('idle')) console.log(`${ms(v)} ms ${share(v)}  ${k}`);
console.log(`${ms(idle)} ms          idle`);
console.log(`\ntop ${values.top} functions by self time:`);
for (const [k, v] of [...byFunction]
	.sort((a, b) => b[1] - a[1])
	.filter(([k]) => !k.startsWith('(idle)'))
	.slice(0, Number(values.top))) {
	console.log(`${ms(v)} ms ${share(v)}  ${k}`);
}
