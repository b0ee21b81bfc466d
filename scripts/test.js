// `npm test`: unit/integration tests (vitest), the production build, then the end-to-end
// suite twice (demo sites on localhost, then on 127.0.0.1, another *site*; the second run
// leaves out the axe matrix). Every step runs
// even when an earlier one failed, except the build: without it the e2e runs are pointless.
// The closing summary comes from the runners' JSON reports, so a run that executed no test
// cannot pass: a missing report, a failed step or zero passed tests all exit 1.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const RESULTS = 'test-results';

/** @typedef {{ passed: number, failed: number, skipped: number, flaky?: number, errors?: number }} Counts */

const steps = [
	{
		name: 'unit + integration tests (vitest)',
		command: ['npx', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${RESULTS}/vitest.json`],
		report: `${RESULTS}/vitest.json`,
		read: readVitest
	},
	{
		name: 'production build',
		command: ['npm', 'run', 'build'],
		stopOnFailure: true
	},
	{
		name: 'end-to-end, demo sites on localhost (playwright)',
		command: ['npx', 'playwright', 'test'],
		env: { E2E_REPORT: `${RESULTS}/e2e-localhost.json`, E2E_SITE_HOST: 'localhost' },
		report: `${RESULTS}/e2e-localhost.json`,
		read: readPlaywright
	},
	{
		name: 'end-to-end, demo sites on 127.0.0.1 (playwright)',
		// The same specs but the matrix of page states under axe (tests/e2e/a11y.e2e.ts, titled
		// "a11y: …"): a page's markup and colours do not depend on the demo sites' host name, and
		// the matrix is a large part of the run's time. This run is about cross-site cookies and origins.
		// Not anchored: Playwright matches the grep against the whole title path (project, file, test).
		command: ['npx', 'playwright', 'test', '--grep-invert', 'a11y: '],
		env: { E2E_REPORT: `${RESULTS}/e2e-127.json`, E2E_SITE_HOST: '127.0.0.1' },
		report: `${RESULTS}/e2e-127.json`,
		read: readPlaywright
	}
];

/** vitest's JSON reporter (Jest-compatible shape). */
function readVitest(json) {
	return {
		passed: count(json.numPassedTests),
		failed: count(json.numFailedTests),
		skipped: count(json.numPendingTests) + count(json.numTodoTests)
	};
}

/** Playwright's JSON reporter: `stats` plus `errors` outside any test (e.g. the web server). */
function readPlaywright(json) {
	const stats = json.stats ?? {};
	const errors = Array.isArray(json.errors) ? json.errors.length : 0;
	return {
		passed: count(stats.expected) + count(stats.flaky),
		failed: count(stats.unexpected) + errors,
		skipped: count(stats.skipped),
		flaky: count(stats.flaky),
		errors
	};
}

function count(value) {
	return Number.isInteger(value) && value > 0 ? value : 0;
}

function header(text) {
	const line = '='.repeat(78);
	console.log(`\n${line}\n=== ${text}\n${line}\n`);
}

function formatDuration(ms) {
	return ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}

// Stale reports from an earlier run must not be counted.
mkdirSync(resolve(root, RESULTS), { recursive: true });
for (const step of steps) if (step.report) rmSync(resolve(root, step.report), { force: true });

const results = [];
let stopped = false;
for (const [index, step] of steps.entries()) {
	if (stopped) {
		results.push({ step, status: null, skipped: true, ms: 0 });
		continue;
	}
	header(`[${index + 1}/${steps.length}] ${step.name}: ${step.command.join(' ')}`);
	const started = Date.now();
	const child = spawnSync(step.command[0], step.command.slice(1), {
		cwd: root,
		stdio: 'inherit',
		env: { ...process.env, ...step.env }
	});
	const ms = Date.now() - started;
	const status = child.error ? 127 : (child.status ?? 1);
	if (child.error) console.error(`[test] could not start ${step.command[0]}: ${child.error.message}`);
	if (child.signal) console.error(`[test] ${step.name} was killed by ${child.signal}`);
	console.log(`\n[test] ${step.name}: exit ${status} after ${formatDuration(ms)}`);
	results.push({ step, status, ms });
	if (status !== 0 && step.stopOnFailure) stopped = true;
}

header('summary');
let total = { passed: 0, failed: 0, skipped: 0 };
let ok = true;
for (const { step, status, skipped, ms } of results) {
	const label = step.name.padEnd(50);
	if (skipped) {
		console.log(`${label} NOT RUN (an earlier step failed)`);
		if (step.report) ok = false;
		continue;
	}
	const outcome = status === 0 ? 'ok' : `FAILED (exit ${status})`;
	if (status !== 0) ok = false;
	if (!step.report) {
		console.log(`${label} ${outcome}, ${formatDuration(ms)}`);
		continue;
	}
	const file = resolve(root, step.report);
	/** @type {Counts | null} */
	let counts = null;
	if (existsSync(file)) {
		try {
			counts = step.read(JSON.parse(readFileSync(file, 'utf8')));
		} catch (error) {
			console.log(`${label} report ${step.report} is unreadable: ${error.message}`);
		}
	}
	if (!counts) {
		console.log(`${label} ${outcome}, ${formatDuration(ms)}, report ${step.report} MISSING`);
		ok = false;
		continue;
	}
	total.passed += counts.passed;
	total.failed += counts.failed;
	total.skipped += counts.skipped;
	const extra = [counts.flaky ? `${counts.flaky} flaky` : '', counts.errors ? `${counts.errors} errors outside tests` : ''].filter(Boolean);
	console.log(
		`${label} ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped${extra.length ? ` (${extra.join(', ')})` : ''}` +
			` — ${outcome}, ${formatDuration(ms)} [${step.report}]`
	);
	if (counts.failed > 0) ok = false;
	if (counts.passed === 0) {
		console.log(`${' '.repeat(50)} ^ no test passed in this report`);
		ok = false;
	}
}
if (total.passed === 0) ok = false;
console.log(`\ntotal: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped — ${ok ? 'OK' : 'FAILED'}`);
process.exit(ok ? 0 : 1);
