import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
	describeVerificationFailure,
	diagnoseExpiredToken,
	diagnoseKeyRotation,
	symptomOf,
	type KeyRotationRun,
	type RotationSignIn
} from './common-issues-lab';
import { diagnoseRotationRun, noteRefusedSignIn, parseLabState, serializeLabState, signInsAfter, SITE_JWKS_CACHE } from './common-issues-lab-runs';
import type { FlowTrace } from './flow-trace';
import { alterOnePayloadCharacter, signWithForeignKey } from './lab-tokens';

const at = (s: string) => new Date(`2026-01-01T10:${s}Z`);
const OLD = 'old-kid';
const NEW = 'new-kid';

const unannounced: KeyRotationRun = {
	mode: 'unannounced',
	startedAt: at('05:00'),
	cachedKids: [OLD],
	cachedAt: at('02:00'),
	kid: NEW,
	publishedAt: at('05:00'),
	signsFrom: at('05:00'),
	previousKid: OLD
};

const row = (d: { facts: { name: string; value: string; time?: string }[] }, name: string) => d.facts.find((f) => f.name === name);

describe('the key rotation diagnosis (scenario 5)', () => {
	it('unknown kid after the cooldown: the site refetched and succeeded, with the cache time and the publication time of this run', () => {
		const signIn: RotationSignIn = { at: at('05:03'), outcome: 'succeeded', tokenKid: NEW, refetched: true };
		const d = diagnoseKeyRotation(unannounced, signIn, SITE_JWKS_CACHE);
		expect(d.outcome).toBe('accepted');
		expect(row(d, 'Did the site refetch the JWKS?')?.value).toBe('yes: the kid was unknown');
		expect(d.cause[0]).toBe(
			"The token's kid new-kid was not in the JWKS the site cached at 2026-01-01T10:02:00.000Z (old-kid); " +
				'the provider published it at 2026-01-01T10:05:00.000Z and signed with it at once.'
		);
		expect(d.cause[1]).toContain("183 s after its last fetch, past jose's 30 s cooldown");
	});

	it("unknown kid within the cooldown: refused with jose's message, and when the cooldown ends", () => {
		const run = { ...unannounced, cachedAt: at('04:50') };
		const signIn: RotationSignIn = {
			at: at('05:02'),
			outcome: 'failed',
			tokenKid: NEW,
			refetched: false,
			failureMessage: 'no applicable key found in the JSON Web Key Set'
		};
		const d = diagnoseKeyRotation(run, signIn, SITE_JWKS_CACHE);
		expect(d.outcome).toBe('refused');
		expect(d.symptom).toBe('ERR_JWKS_NO_MATCHING_KEY: no applicable key found in the JSON Web Key Set');
		expect(row(d, 'Did the site refetch the JWKS?')?.value).toBe("no: within jose's 30 s cooldown after its last fetch");
		expect(row(d, 'Cooldown ends')?.time).toBe(at('05:20').toISOString());
		expect(d.cause[1]).toContain("12 s after the site's last fetch, within jose's 30 s cooldown");
	});

	it('published ahead: the kid was in the refreshed cache before it signed; no refetch', () => {
		const run: KeyRotationRun = { ...unannounced, mode: 'publish-ahead', refreshedAt: at('05:01'), refreshedKids: [OLD, NEW], signsFrom: at('05:02') };
		const d = diagnoseKeyRotation(run, { at: at('05:03'), outcome: 'succeeded', tokenKid: NEW, refetched: false }, SITE_JWKS_CACHE);
		expect(d.outcome).toBe('accepted');
		expect(row(d, 'Did the site refetch the JWKS?')?.value).toBe('no: cache hit');
		expect(d.symptom).toMatch(/^Nothing/);
	});

	it('before any sign-in: says to sign in, and whether the cache holds the new key', () => {
		const d = diagnoseKeyRotation(unannounced, undefined, SITE_JWKS_CACHE);
		expect(d.symptom).toMatch(/^No sign-in after the rotation yet/);
		expect(d.cause[0]).toContain('does not hold it');
	});

	const flow = (recordedAt: Date, outcome: FlowTrace['outcome'], options: { refetched: boolean; failure?: string }): FlowTrace => ({
		kind: 'sign-in',
		title: 'Sign-in',
		recordedAt: recordedAt.toISOString(),
		outcome,
		summary: '',
		steps: options.refetched ? [{ from: 'site', to: 'provider', label: 'GET /api/auth/jwks', fields: [], seenBySite: true }] : [],
		token: { label: 'ID token', header: { kid: NEW }, payload: {} },
		checks: options.failure
			? [{ id: 'key', name: 'kid selects a key', result: 'failed', detail: `kid = ${NEW} — ${options.failure}`, spec: '', specURL: '', withoutIt: '' }]
			: []
	});
	const JWKS_URI = 'http://localhost:3000/api/auth/jwks';

	it("reads the sign-ins after the run from the inspector's record: refetch seen, jose's message kept, older flows ignored", () => {
		const flows = [
			flow(at('05:40'), 'succeeded', { refetched: true }),
			flow(at('05:05'), 'failed', { refetched: false, failure: 'no applicable key found in the JSON Web Key Set' }),
			flow(at('01:00'), 'succeeded', { refetched: true })
		];
		const signIns = signInsAfter(unannounced, flows, JWKS_URI);
		expect(signIns.map((s) => [s.outcome, s.refetched, s.failureMessage])).toEqual([
			['failed', false, 'no applicable key found in the JSON Web Key Set'],
			['succeeded', true, undefined]
		]);
		const d = diagnoseRotationRun(unannounced, flows, JWKS_URI);
		expect(d.outcome).toBe('accepted');
		expect(d.cause.join(' ')).toContain('Your first sign-in after the rotation, at 2026-01-01T10:05:05.000Z, was refused');
	});

	it('keeps a refused sign-in with the run, so it is still told after a later sign-in starts a fresh inspector log', () => {
		const refusedFlows = [flow(at('05:05'), 'failed', { refetched: false, failure: 'no applicable key found in the JSON Web Key Set' })];
		const noted = noteRefusedSignIn(unannounced, refusedFlows, JWKS_URI)!;
		expect(noted.refusedSignIn).toEqual({ at: at('05:05'), failureMessage: 'no applicable key found in the JSON Web Key Set' });
		expect(noteRefusedSignIn(noted, refusedFlows, JWKS_URI)).toBeNull();
		const restored = parseLabState(serializeLabState({ rotation: noted })).rotation!;
		const d = diagnoseRotationRun(restored, [flow(at('05:40'), 'succeeded', { refetched: true })], JWKS_URI);
		expect(d.cause.join(' ')).toContain('was refused ("no applicable key found in the JSON Web Key Set")');
	});
});

describe('the lab cookie', () => {
	it('round-trips a rotation run and a redirect run', () => {
		const state = {
			rotation: unannounced,
			redirect: { sentRedirectURI: 'http://localhost:3001/lab/unregistered-callback', sentAt: at('01:00').toISOString() }
		};
		expect(parseLabState(serializeLabState(state))).toEqual(state);
	});

	it.each([
		[undefined],
		[''],
		['%'],
		['null'],
		['"x"'],
		[encodeURIComponent('{"rotation":{"mode":"other"}}')],
		[encodeURIComponent('{"rotation":{"mode":"unannounced","kid":1}}')]
	])('gives nothing for %j', (value) => {
		expect(parseLabState(value)).toEqual({});
	});
});

describe('the expired-token diagnosis (scenario 4)', () => {
	it('shows exp, iat, the lifetime and the skew, and how the real clock stands', () => {
		const d = diagnoseExpiredToken({
			iat: 1_000,
			exp: 4_600,
			clockSkewSeconds: 60,
			checkedAt: new Date(4_661_000),
			realNow: new Date(2_000_000),
			failure: { code: 'ERR_JWT_EXPIRED', message: '"exp" claim timestamp check failed', check: 'exp', checkName: 'Not expired (exp, with clock skew)' }
		});
		expect(d.symptom).toBe('ERR_JWT_EXPIRED: "exp" claim timestamp check failed');
		expect(row(d, 'Lifetime (exp − iat)')?.value).toBe('3600 s');
		expect(row(d, 'Clock skew the site allows')?.value).toBe('60 s');
		expect(row(d, 'Real time now')?.value).toBe('the token is still valid for 2600 s');
	});
});

describe('broken copies of a real token (scenario 2) and what jose says of them', () => {
	let token: string;
	let jwks: ReturnType<typeof createLocalJWKSet>;

	beforeAll(async () => {
		const { privateKey, publicKey } = await generateKeyPair('RS256');
		jwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' }] });
		token = await new SignJWT({ email: 'demo@example.com', sub: 'u1' })
			.setProtectedHeader({ alg: 'RS256', kid: 'k1' })
			.setIssuedAt()
			.setExpirationTime('1h')
			.sign(privateKey);
	});

	const failureOf = async (t: string) => {
		try {
			await jwtVerify(t, jwks);
		} catch (error) {
			return describeVerificationFailure(error);
		}
		throw new Error('the token verified');
	};

	it('the original verifies', async () => {
		await expect(jwtVerify(token, jwks)).resolves.toBeTruthy();
	});

	it('one changed character of the payload: header and signature kept, the signature check fails', async () => {
		const altered = alterOnePayloadCharacter(token);
		expect(altered).toMatchObject({ claim: 'email', before: 'demo@example.com', after: 'demo@example.cox' });
		expect(altered.token.split('.')[0]).toBe(token.split('.')[0]);
		expect(altered.token.split('.')[2]).toBe(token.split('.')[2]);
		expect(decodeJwt(altered.token).email).toBe('demo@example.cox');
		const failure = await failureOf(altered.token);
		expect(symptomOf(failure)).toBe('ERR_JWS_SIGNATURE_VERIFICATION_FAILED: signature verification failed');
		expect(failure.check).toBe('signature');
	});

	it('re-signed by a foreign key under the same kid: the kid finds the real key, the signature fails', async () => {
		const forged = await signWithForeignKey(token);
		expect(decodeProtectedHeader(forged.token).kid).toBe('k1');
		expect(decodeJwt(forged.token)).toEqual(decodeJwt(token));
		expect((await failureOf(forged.token)).check).toBe('signature');
	});

	it("names jose's errors by code and by the site's check", () => {
		expect(describeVerificationFailure(new errors.JWKSNoMatchingKey())).toMatchObject({
			code: 'ERR_JWKS_NO_MATCHING_KEY',
			check: 'key',
			message: 'no applicable key found in the JSON Web Key Set'
		});
		expect(describeVerificationFailure(new errors.JWTExpired('"exp" claim timestamp check failed', {}, 'exp'))).toMatchObject({
			code: 'ERR_JWT_EXPIRED',
			check: 'exp',
			checkName: 'Not expired (exp, with clock skew)'
		});
	});
});
