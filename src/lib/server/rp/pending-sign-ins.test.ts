import { describe, expect, it } from 'vitest';
import {
	addPendingFlow,
	MAX_PENDING_FLOWS,
	openPendingFlows,
	PENDING_FLOW_TTL_SECONDS,
	safeReturnPath,
	sealPendingFlows,
	takePendingFlow,
	type PendingFlow
} from './pending-sign-ins';

const SECRET = 'secret-for-internal-dashboard';
const NOW = new Date('2026-01-01T12:00:00Z');
const nowSeconds = NOW.getTime() / 1000;

function flow(state: string, ageSeconds = 0, returnTo = '/'): PendingFlow {
	return { state, nonce: `nonce-${state}`, codeVerifier: `verifier-${state}-dBjftJeZ4CVP-mB92K27uhbUJU1p1r`, returnTo, createdAt: nowSeconds - ageSeconds };
}

describe('pending sign-ins: one per state (two tabs both finish)', () => {
	it('a second sign-in keeps the first: the callback of either tab finds its own flow', () => {
		const flows = addPendingFlow(addPendingFlow([], flow('tab-a'), NOW), flow('tab-b'), NOW);
		const b = takePendingFlow(flows, 'tab-b', NOW);
		expect(b.flow?.nonce).toBe('nonce-tab-b');
		const a = takePendingFlow(b.remaining, 'tab-a', NOW);
		expect(a.flow?.nonce).toBe('nonce-tab-a');
		expect(a.remaining).toEqual([]);
	});

	it('a flow is used once: the same state a second time finds nothing', () => {
		const { remaining } = takePendingFlow([flow('s')], 's', NOW);
		expect(takePendingFlow(remaining, 's', NOW).flow).toBeNull();
	});

	it('an unknown or missing state finds nothing and leaves the other flows waiting', () => {
		const flows = [flow('a'), flow('b')];
		expect(takePendingFlow(flows, 'forged', NOW)).toEqual({ flow: null, remaining: flows });
		expect(takePendingFlow(flows, null, NOW).flow).toBeNull();
	});

	it(`at most ${MAX_PENDING_FLOWS} wait: starting another drops the oldest`, () => {
		let flows: PendingFlow[] = [];
		for (let i = 0; i < MAX_PENDING_FLOWS + 2; i++) flows = addPendingFlow(flows, flow(`s${i}`), NOW);
		expect(flows.map((f) => f.state)).toEqual(['s2', 's3', 's4', 's5', 's6']);
	});

	it(`a flow older than ${PENDING_FLOW_TTL_SECONDS / 60} minutes is gone`, () => {
		expect(takePendingFlow([flow('old', PENDING_FLOW_TTL_SECONDS)], 'old', NOW).flow).toBeNull();
		expect(takePendingFlow([flow('fresh', PENDING_FLOW_TTL_SECONDS - 1)], 'fresh', NOW).flow).not.toBeNull();
		expect(addPendingFlow([flow('old', PENDING_FLOW_TTL_SECONDS + 5)], flow('new'), NOW).map((f) => f.state)).toEqual(['new']);
	});

	it('a flow dated in the future (a tampered clock or cookie) is not trusted', () => {
		expect(takePendingFlow([flow('future', -60)], 'future', NOW).flow).toBeNull();
	});
});

describe('the flow cookie: sealed with an HMAC', () => {
	it('round-trips five flows and stays well under the 4096-byte cookie limit', () => {
		const flows = Array.from({ length: MAX_PENDING_FLOWS }, (_, i) => flow(`state-${i}-${'x'.repeat(40)}`, i, '/inspector?tab=2'));
		const sealed = sealPendingFlows(flows, SECRET);
		expect(openPendingFlows(sealed, SECRET)).toEqual(flows);
		expect(sealed.length).toBeLessThan(2000);
	});

	it("a changed byte, another site's key, or garbage yields no flows", () => {
		const sealed = sealPendingFlows([flow('s')], SECRET);
		const [body, tag] = sealed.split('.');
		const tampered = `${body.slice(0, -2)}${body.endsWith('A') ? 'B' : 'A'}${body.slice(-1)}.${tag}`;
		expect(openPendingFlows(tampered, SECRET)).toEqual([]);
		expect(openPendingFlows(sealed, 'secret-for-team-wiki')).toEqual([]);
		for (const junk of [undefined, '', 'a', 'a.b', 'a.b.c', '%%%.***', `${body}.`, '.'.repeat(5000)]) expect(openPendingFlows(junk, SECRET)).toEqual([]);
	});

	it('entries of the wrong shape inside a valid seal are skipped', () => {
		const sealed = sealPendingFlows([flow('good'), { state: '', nonce: 'n', codeVerifier: 'v', returnTo: '/', createdAt: nowSeconds }], SECRET);
		expect(openPendingFlows(sealed, SECRET).map((f) => f.state)).toEqual(['good']);
	});
});

describe('safeReturnPath: only a path on this site (no open redirect)', () => {
	it.each([['/'], ['/inspector'], ['/inspector?x=1#y']])('keeps %s', (path) => expect(safeReturnPath(path)).toBe(path));
	it.each([['https://evil.example/'], ['//evil.example/'], ['/\\evil.example'], ['inspector'], [''], [null], [42], ['/a\nb']])('turns %j into /', (value) => {
		expect(safeReturnPath(value)).toBe('/');
	});
});
