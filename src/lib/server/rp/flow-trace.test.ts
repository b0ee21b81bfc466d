// What the flow inspector records must never hand out a credential: the client secret not at
// all, codes and tokens only as a short prefix; and one flow stays within its size bound.
import { describe, expect, it } from 'vitest';
import { accessTokenHash, atHashMatches } from './at-hash';
import { boundTrace, FlowRecorder, MAX_TRACE_BYTES, recordedValue, REDACTED_PREFIX_LENGTH } from './flow-trace';

const ACCESS_TOKEN = 'jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y';

describe('redaction', () => {
	it('hides a client secret entirely (not even a prefix narrows a guess)', () => {
		const shown = recordedValue('client_secret', 'secret-for-internal-dashboard');
		expect(shown).not.toContain('secret-for');
		expect(shown).toBe('(hidden, 29 characters)');
	});

	it.each(['code', 'code_verifier', 'access_token', 'refresh_token', 'id_token_hint', 'logout_token', 'state', 'nonce'])(
		'keeps only a prefix of %s',
		(name) => {
			const value = 'abcdefghijklmnopqrstuvwxyz0123456789';
			const shown = recordedValue(name, value);
			expect(shown.startsWith(value.slice(0, REDACTED_PREFIX_LENGTH))).toBe(true);
			expect(shown).not.toContain(value.slice(0, REDACTED_PREFIX_LENGTH + 1));
		}
	);

	it('shows ordinary parameters as they are', () => {
		expect(recordedValue('scope', 'openid profile email')).toBe('openid profile email');
	});

	it('a recorded request redacts its query parameters and explains them', () => {
		const recorder = new FlowRecorder('sign-in', 'Sign-in');
		recorder.request(
			'browser',
			'site',
			'GET',
			'http://localhost:3001/auth/callback?code=THE-SECRET-CODE-VALUE&state=STATE-VALUE-123&iss=http%3A%2F%2Flocalhost%3A3000',
			{
				notes: { iss: 'who answered' }
			}
		);
		const [step] = recorder.steps;
		expect(step.label).toBe('GET /auth/callback');
		expect(step.url).toBe('http://localhost:3001/auth/callback');
		expect(JSON.stringify(step)).not.toContain('THE-SECRET-CODE-VALUE');
		expect(step.fields.map((f) => f.name)).toEqual(['code', 'state', 'iss']);
		expect(step.fields[2]).toEqual({ name: 'iss', value: 'http://localhost:3000', note: 'who answered' });
	});
});

describe('size bound', () => {
	it('a flow with a huge provider response is cut to at most 64 KiB and says so', () => {
		const recorder = new FlowRecorder('sign-in', 'Sign-in');
		for (let i = 0; i < 50; i++) recorder.step({ from: 'provider', to: 'site', label: `200 #${i}`, fields: [{ name: 'huge', value: 'x'.repeat(10_000) }] });
		recorder.token = { label: 'ID token', header: { alg: 'RS256' }, payload: { sub: 'u', blob: 'y'.repeat(100_000) }, raw: 'z'.repeat(100_000) };
		const bounded = boundTrace(recorder.finish('succeeded', 'ok'));
		expect(new TextEncoder().encode(JSON.stringify(bounded)).length).toBeLessThanOrEqual(MAX_TRACE_BYTES);
		expect(bounded.truncated).toBe(true);
		expect(bounded.steps.length).toBeGreaterThan(0);
	});

	it('leaves a normal flow untouched', () => {
		const trace = new FlowRecorder('sign-in', 'Sign-in').finish('succeeded', 'ok');
		expect(boundTrace(trace)).toBe(trace);
	});
});

describe('at_hash (OIDC Core §3.1.3.6, §3.2.2.9)', () => {
	it('is the left half of the SHA-256 for RS256 and ES256 (the example of OIDC Core Appendix A.4)', () => {
		expect(accessTokenHash(ACCESS_TOKEN, 'RS256')).toBe('77QmUPtjPfzWtF2AnpK9RQ');
		expect(accessTokenHash(ACCESS_TOKEN, 'ES256')).toBe('77QmUPtjPfzWtF2AnpK9RQ');
	});

	it('is the left half of the SHA-512 for EdDSA (Ed25519): 32 bytes', () => {
		const hash = accessTokenHash(ACCESS_TOKEN, 'EdDSA');
		expect(Buffer.from(hash, 'base64url')).toHaveLength(32);
		expect(hash).not.toBe(accessTokenHash(ACCESS_TOKEN, 'RS256'));
	});

	it('does not match another access token', () => {
		expect(atHashMatches('77QmUPtjPfzWtF2AnpK9RQ', ACCESS_TOKEN, 'RS256')).toBe(true);
		expect(atHashMatches('77QmUPtjPfzWtF2AnpK9RQ', `${ACCESS_TOKEN}x`, 'RS256')).toBe(false);
		expect(atHashMatches('', ACCESS_TOKEN, 'RS256')).toBe(false);
	});
});
