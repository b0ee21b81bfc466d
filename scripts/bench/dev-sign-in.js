// The laptop figure (issue #10): how long signing in to a demo site takes on `npm run dev`
// (Vite's dev server, embedded PGlite, seeded demo data), as a browser does it, hop by hop.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { onCleanup } from './cleanups.js';
import { collectCookies, newAgent, request } from './http.js';
import { fmt, percentiles } from './measure.js';
import { DEMO, ROOT } from './ours.js';

/**
 * One browser's sign-in, from the demo site's "Sign in" to its signed-in page: site → provider
 * authorize → sign-in page → form POST → authorize → site callback (code exchange, ID token
 * verified through the JWKS) → site page. A fresh cookie jar, as a first visit has. Returns
 * the milliseconds it took; throws when any hop answers something else than a browser expects.
 */
export async function browserSignIn({ provider, site }) {
	const agent = newAgent(4);
	const jar = new Map(); // every origin is localhost: a browser sends them all the same cookies
	let cookie = '';
	const hop = async (url, expected, options = {}) => {
		const res = await request(agent, url, { ...options, headers: { accept: 'text/html', cookie, ...options.headers } });
		cookie = collectCookies(jar, res.headers['set-cookie']);
		if (res.status !== expected) throw new Error(`${options.method ?? 'GET'} ${url} answered ${res.status}, expected ${expected}`);
		return res;
	};
	const next = (res, base) => new URL(res.headers.location, base).href;
	const started = performance.now();
	try {
		const toAuthorize = await hop(`${site}/auth/sign-in`, 303);
		const toLogin = await hop(next(toAuthorize, site), 302);
		const loginURL = next(toLogin, provider);
		const page = await hop(loginURL, 200);
		const submission = page.body.match(/name="submission" value="([^"]+)"/)?.[1] ?? '';
		const form = new URLSearchParams({
			email: DEMO.email,
			password: DEMO.password,
			return_to: new URL(loginURL).searchParams.get('return_to') ?? '',
			submission
		});
		const signedIn = await hop(loginURL, 303, {
			method: 'POST',
			body: form.toString(),
			headers: { 'content-type': 'application/x-www-form-urlencoded', origin: provider }
		});
		const toCallback = await hop(next(signedIn, provider), 302);
		const toSite = await hop(next(toCallback, provider), 303);
		const home = await hop(next(toSite, site), 200);
		if (!home.body.includes(DEMO.email)) throw new Error(`the site's page after sign-in does not show ${DEMO.email}`);
		return performance.now() - started;
	} finally {
		agent.destroy();
	}
}

/**
 * Starts `vite dev` on a fresh PGlite directory (ports `portBase`..+2), then times the first
 * sign-in (Vite compiles each module on its first request, PGlite creates its database) and
 * `runs` more, each as a new browser.
 */
export async function measureDevSignIn({ portBase, runs }) {
	const origins = { provider: `http://localhost:${portBase}`, site: `http://localhost:${portBase + 1}` };
	const dir = mkdtempSync(join(os.tmpdir(), 'sso-bench-dev-'));
	onCleanup(() => rmSync(dir, { recursive: true, force: true }));
	const env = { ...process.env };
	for (const k of ['DATABASE_URL', 'BENCH_DATABASE_URL', 'PORT', 'SITE1_PORT', 'SITE2_PORT', 'SERVE', 'HOST', 'ORIGIN', 'NODE_ENV']) delete env[k];
	Object.assign(env, {
		PGLITE_DIR: join(dir, 'pglite'),
		PROVIDER_URL: origins.provider,
		SITE1_URL: origins.site,
		SITE2_URL: `http://localhost:${portBase + 2}`,
		PYTHON_API_URL: `http://localhost:${portBase + 3}`,
		SEED_DEMO_DATA: 'true'
	});
	const spawnedAt = performance.now();
	const child = spawn(process.execPath, ['node_modules/vite/bin/vite.js', 'dev'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
	let output = '';
	child.stdout.on('data', (d) => (output += d));
	child.stderr.on('data', (d) => (output += d));
	// The dev server starts the example Python API as a child: stop the whole process group.
	const stop = () => {
		try {
			process.kill(-child.pid, 'SIGTERM');
		} catch {
			/* already gone */
		}
	};
	onCleanup(stop);
	console.log(`bench: starting \`vite dev\` (pid ${child.pid}) on PGlite at ${env.PGLITE_DIR}`);
	const probe = newAgent(1);
	while (
		!(await request(probe, `${origins.provider}/healthz`).then(
			(r) => r.status === 200,
			() => false
		))
	) {
		if (child.exitCode !== null) throw new Error(`vite dev exited with ${child.exitCode}:\n${output}`);
		if (performance.now() - spawnedAt > 120_000) throw new Error(`vite dev did not answer within 120 s:\n${output}`);
		await new Promise((r) => setTimeout(r, 100));
	}
	probe.destroy();
	const ready = performance.now() - spawnedAt;
	const warm = [];
	let first;
	try {
		first = await browserSignIn(origins);
		for (let i = 0; i < runs; i++) warm.push(await browserSignIn(origins));
	} catch (error) {
		throw new Error(`${error.message}\nvite dev said:\n${output.slice(-3000)}`, { cause: error });
	} finally {
		stop();
	}
	const { p50, max } = percentiles(warm);
	console.log(
		`dev sign-in (vite dev, PGlite): server answered after ${fmt(ready / 1000, 1)} s; first sign-in ${fmt(first, 0)} ms (compiles on demand); ` +
			`then ${runs} sign-ins: p50 ${fmt(p50, 0)} ms, max ${fmt(max, 0)} ms (7 hops each, a new browser every time)`
	);
	return { ready, first, p50, max };
}
