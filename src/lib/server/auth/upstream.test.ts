// The arctic/jose wrapper against the local fakes (real HTTP, real protocols): what it reads
// from GitHub and from ID tokens, and how each failure is typed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, startFakeOIDC } from '../../../../tests/support/fake-upstreams.js';
import type { GitHubUpstream, OIDCUpstream } from '../config-upstreams';
import { beginUpstreamSignIn, checkUpstreamCallback, completeUpstreamSignIn, federatedAMR, UpstreamError, type UpstreamContext } from './upstream';

let github: Awaited<ReturnType<typeof startFakeGitHub>>;
let oidc: Awaited<ReturnType<typeof startFakeOIDC>>;
const CALLBACK = 'http://localhost:3000/auth/upstream/x/callback';

beforeAll(async () => {
	[github, oidc] = await Promise.all([startFakeGitHub(), startFakeOIDC()]);
});
afterAll(() => Promise.all([github?.close(), oidc?.close()]));

function gitHubContext(): UpstreamContext {
	const env = github.env();
	const upstream: GitHubUpstream = {
		kind: 'github',
		id: 'github',
		name: 'GitHub',
		clientId: env.GITHUB_CLIENT_ID,
		clientSecret: env.GITHUB_CLIENT_SECRET,
		authorizeURL: env.GITHUB_AUTHORIZE_URL,
		tokenURL: env.GITHUB_TOKEN_URL,
		apiURL: env.GITHUB_API_URL,
		scopes: ['read:user', 'user:email']
	};
	return { upstream, callbackURL: CALLBACK, timeoutMs: 2000 };
}

function oidcContext(overrides: Partial<OIDCUpstream> = {}): UpstreamContext {
	const upstream: OIDCUpstream = {
		kind: 'oidc',
		id: `oidc-${Math.random().toString(36).slice(2)}`,
		name: 'Fake Google',
		discoveryURL: `${oidc.issuer}/.well-known/openid-configuration`,
		issuer: oidc.issuer,
		issuerAliases: [],
		clientId: oidc.clientId,
		clientSecret: oidc.clientSecret,
		scopes: ['openid', 'email', 'profile'],
		...overrides
	};
	return { upstream, callbackURL: CALLBACK, timeoutMs: 2000 };
}

/** Runs the whole flow with the fake answering at once as `who`. */
async function signIn(context: UpstreamContext, who: { login: string; name: string; email: string; verified: boolean | string }) {
	const { url, flow } = await beginUpstreamSignIn(context);
	const fake = context.upstream.kind === 'github' ? github : oidc;
	fake.behaviour.autoConsent = who;
	try {
		const back = await fetch(url, { redirect: 'manual' });
		const callback = new URL(back.headers.get('location')!);
		const code = checkUpstreamCallback(context.upstream, callback.searchParams, flow);
		return await completeUpstreamSignIn(context, flow, code);
	} finally {
		fake.behaviour.autoConsent = undefined;
	}
}

async function failureOf(promise: Promise<unknown>): Promise<UpstreamError> {
	const error = await promise.then(
		() => null,
		(e: unknown) => e
	);
	expect(error).toBeInstanceOf(UpstreamError);
	return error as UpstreamError;
}

describe('GitHub (OAuth 2.0 + REST API)', () => {
	it('the subject is the numeric user id; the address is the primary one, verified only if GitHub says so', async () => {
		const profile = await signIn(gitHubContext(), { login: 'mona', name: 'Mona', email: 'Mona@Example.com', verified: true });
		expect(profile).toEqual({ provider: 'github', subject: github.subjectOf('mona'), email: 'mona@example.com', emailVerified: true, name: 'Mona', amr: [] });
	});

	it('an unverified primary address stays unverified although a non-primary one is verified', async () => {
		const profile = await signIn(gitHubContext(), { login: 'lisa', name: '', email: 'lisa@example.com', verified: false });
		expect(profile).toMatchObject({ email: 'lisa@example.com', emailVerified: false, name: 'lisa' });
	});

	it('the authorization URL carries state, PKCE S256 and the callback', async () => {
		const { url, flow } = await beginUpstreamSignIn(gitHubContext());
		expect(url.searchParams.get('state')).toBe(flow.state);
		expect(url.searchParams.get('code_challenge_method')).toBe('S256');
		expect(url.searchParams.get('redirect_uri')).toBe(CALLBACK);
		expect(url.searchParams.get('scope')).toBe('read:user user:email');
		expect(flow.nonce).toBeNull();
	});

	it('wrong client credentials (GitHub answers 200 with an error) are a misconfiguration, not a crash', async () => {
		const context = gitHubContext();
		const upstream = { ...(context.upstream as GitHubUpstream), clientSecret: 'wrong' };
		const error = await failureOf(signIn({ ...context, upstream }, { login: 'x', name: 'X', email: 'x@example.com', verified: true }));
		expect(error.failure).toBe('misconfigured');
		expect(error.status).toBe(502);
	});
});

describe('OpenID Connect (ID token verified with jose)', () => {
	it('claims come from the verified ID token; the request carries a nonce and PKCE', async () => {
		const context = oidcContext();
		const { url, flow } = await beginUpstreamSignIn(context);
		expect(url.searchParams.get('nonce')).toBe(flow.nonce);
		expect(url.searchParams.get('code_challenge_method')).toBe('S256');
		const profile = await signIn(context, { login: 'sub-1', name: 'Gina', email: 'gina@example.com', verified: true });
		expect(profile).toEqual({ provider: context.upstream.id, subject: 'sub-1', email: 'gina@example.com', emailVerified: true, name: 'Gina', amr: [] });
	});

	it.each([
		[true, true],
		['true', true],
		[false, false],
		['false', false],
		['True', false],
		['1', false]
	])('email_verified %j counts as verified: %s', async (claim, verified) => {
		const profile = await signIn(oidcContext(), { login: 'sub-2', name: 'G', email: 'g@example.com', verified: claim });
		expect(profile.emailVerified).toBe(verified);
	});

	it('a discovery document naming another issuer is refused (Discovery §4.3)', async () => {
		const error = await failureOf(beginUpstreamSignIn(oidcContext({ issuer: 'https://accounts.google.com' })));
		expect(error.failure).toBe('bad-response');
	});

	it('a token endpoint that answers after the deadline: timeout (504)', async () => {
		oidc.behaviour.tokenDelayMs = 3000;
		try {
			const error = await failureOf(signIn(oidcContext(), { login: 's', name: 'S', email: 's@example.com', verified: true }));
			expect(error).toMatchObject({ failure: 'timeout', status: 504 });
		} finally {
			oidc.behaviour.tokenDelayMs = undefined;
		}
	});
});

describe('callback checks before any code is used', () => {
	const flow = { state: 'expected-state', codeVerifier: null, nonce: null };
	const query = (q: string) => new URLSearchParams(q);
	const upstream = () => gitHubContext().upstream;

	it('access_denied: "You cancelled"', () => {
		expect(() => checkUpstreamCallback(upstream(), query('error=access_denied&state=expected-state'), flow)).toThrow('You cancelled signing in with GitHub');
	});

	it.each([
		['no flow cookie', 'code=c&state=expected-state', null],
		['another state', 'code=c&state=attacker-state', flow],
		['no state', 'code=c', flow],
		['a longer state', 'code=c&state=expected-state-and-more', flow]
	])('%s: flow-mismatch (login CSRF)', (_, q, f) => {
		try {
			checkUpstreamCallback(upstream(), query(q), f);
			expect.unreachable();
		} catch (error) {
			expect(error).toMatchObject({ failure: 'flow-mismatch', status: 400 });
		}
	});

	it('the matching state returns the code', () => {
		expect(checkUpstreamCallback(upstream(), query('code=the-code&state=expected-state'), flow)).toBe('the-code');
	});
});

describe('amr after an upstream sign-in (RFC 8176)', () => {
	it('registered upstream values pass through; otherwise fed, never pwd', () => {
		expect(federatedAMR([])).toEqual(['fed']);
		expect(federatedAMR(['hwk', 'pin', 'something'])).toEqual(['hwk', 'pin']);
		expect(federatedAMR(['something'])).toEqual(['fed']);
	});
});
