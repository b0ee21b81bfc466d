// What the bench does to a provider, the same for ours and the reference: complete
// authorization-code flows, refresh_token and client_credentials grants, and GETs of public
// documents. Every step checks what a relying party would check; a failed check is an error,
// counted, not a measured operation.
import { createHash, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { newAgent, request } from './http.js';
import { cpuDelta, cpuSnapshot, percentiles } from './measure.js';

export const CLIENT_ID = 'internal-dashboard';
export const CLIENT_SECRET = 'secret-for-internal-dashboard';
export const SERVICE_API = 'https://api.bench.example';

export class FlowError extends Error {}

const b64u = (buf) => buf.toString('base64url');
const FORM = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };

async function tokenCall(agent, tokenURL, headers, form, what) {
	const t0 = performance.now();
	const res = await request(agent, tokenURL, { method: 'POST', headers, body: form.toString() });
	if (res.status !== 200) throw new FlowError(`${what}: HTTP ${res.status} ${res.body.slice(0, 120)}`);
	let tokens;
	try {
		tokens = JSON.parse(res.body);
	} catch {
		throw new FlowError(`${what}: body is not JSON`);
	}
	if (tokens.token_type?.toLowerCase() !== 'bearer' || typeof tokens.access_token !== 'string') throw new FlowError(`${what}: no Bearer access_token`);
	return { tokens, ms: performance.now() - t0 };
}

/**
 * The flow runner for one signed-in session (`cookie`): authorize → code → token → ID token
 * verified through the JWKS (cached by jose, as a relying party caches it).
 * `codeGrant()` is the first two steps, also used to start refresh chains.
 */
export function flowRunner({ agent, discovery, cookie, redirectURI }) {
	const { issuer, authorization_endpoint: authorizeURL, token_endpoint: tokenURL } = discovery;
	const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
	const authorizeHeaders = { cookie, accept: 'text/html' };

	async function codeGrant() {
		const t0 = performance.now();
		const state = b64u(randomBytes(16));
		const nonce = b64u(randomBytes(16));
		const verifier = b64u(randomBytes(32));
		const query = new URLSearchParams({
			response_type: 'code',
			client_id: CLIENT_ID,
			redirect_uri: redirectURI,
			// The dashboard is a trusted first-party client: it gets a refresh token without offline_access.
			scope: 'openid profile email',
			state,
			nonce,
			code_challenge: b64u(createHash('sha256').update(verifier).digest()),
			code_challenge_method: 'S256'
		});
		const auth = await request(agent, `${authorizeURL}?${query}`, { headers: authorizeHeaders });
		const t1 = performance.now();
		// RFC 6749 §4.1.2 names no status: ours answers 302, node-oidc-provider 303.
		if (auth.status !== 302 && auth.status !== 303) throw new FlowError(`authorize: HTTP ${auth.status}`);
		const location = auth.headers.location;
		if (!location) throw new FlowError('authorize: no Location');
		const back = new URL(location, authorizeURL);
		if (back.origin + back.pathname !== redirectURI) throw new FlowError(`authorize: redirected to ${back.origin}${back.pathname}`);
		if (back.searchParams.get('error')) throw new FlowError(`authorize: error=${back.searchParams.get('error')}`);
		if (back.searchParams.get('state') !== state) throw new FlowError('authorize: state mismatch');
		// RFC 9207: the response names its issuer.
		if (back.searchParams.get('iss') !== issuer) throw new FlowError('authorize: iss mismatch');
		const code = back.searchParams.get('code');
		if (!code) throw new FlowError('authorize: no code');

		// internal-dashboard is registered for client_secret_post (credentials in the body).
		const form = new URLSearchParams({
			grant_type: 'authorization_code',
			code,
			redirect_uri: redirectURI,
			code_verifier: verifier,
			client_id: CLIENT_ID,
			client_secret: CLIENT_SECRET
		});
		const { tokens } = await tokenCall(agent, tokenURL, FORM, form, 'token');
		const t2 = performance.now();
		return { tokens, nonce, authorizeMs: t1 - t0, tokenMs: t2 - t1, t0, t2 };
	}

	async function flow() {
		const { tokens, nonce, authorizeMs, tokenMs, t0, t2 } = await codeGrant();
		if (typeof tokens.id_token !== 'string') throw new FlowError('token: no id_token');
		let payload;
		try {
			({ payload } = await jwtVerify(tokens.id_token, jwks, { issuer, audience: CLIENT_ID, algorithms: ['RS256'] }));
		} catch (error) {
			throw new FlowError(`id_token: ${error.code ?? error.name}`);
		}
		if (payload.nonce !== nonce) throw new FlowError('id_token: nonce mismatch');
		const t3 = performance.now();
		return { total: t3 - t0, authorize: authorizeMs, token: tokenMs, verify: t3 - t2 };
	}

	return { flow, codeGrant };
}

/**
 * refresh_token grants: each worker holds its own chain (a refresh token is used once and
 * answered with its successor: RFC 9700 §4.14.2), started by one code flow.
 */
export async function refreshRunner({ agent, discovery, flows, workers }) {
	const chains = [];
	for (let i = 0; i < workers; i++) {
		const { tokens } = await flows.codeGrant();
		if (typeof tokens.refresh_token !== 'string') throw new Error('refresh set-up: the code grant gave no refresh_token');
		chains.push(tokens.refresh_token);
	}
	return (worker) => async () => {
		const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: chains[worker], client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
		const { tokens, ms } = await tokenCall(agent, discovery.token_endpoint, FORM, form, 'refresh');
		if (typeof tokens.refresh_token !== 'string') throw new FlowError('refresh: no new refresh_token');
		chains[worker] = tokens.refresh_token;
		return { total: ms };
	};
}

/** client_credentials grants (RFC 6749 §4.4) for the bench's service client, HTTP Basic, one API (RFC 8707). */
export function clientCredentialsRunner({ agent, discovery, service }) {
	const headers = {
		...FORM,
		authorization: `Basic ${Buffer.from(`${encodeURIComponent(service.id)}:${encodeURIComponent(service.secret)}`).toString('base64')}`
	};
	const form = new URLSearchParams({ grant_type: 'client_credentials', scope: 'reports:read', resource: SERVICE_API });
	return async () => {
		const { ms } = await tokenCall(agent, discovery.token_endpoint, headers, form, 'client_credentials');
		return { total: ms };
	};
}

/**
 * Runs `total` operations on `concurrency` workers; worker i runs `fnFor(i)` (its own refresh
 * chain, say). Returns the successes' results and the errors counted by message.
 */
export async function runPool(total, concurrency, fnFor) {
	let next = 0;
	const results = [];
	const errors = new Map();
	const worker = async (index) => {
		const fn = fnFor(index);
		while (next < total) {
			next++;
			try {
				results.push(await fn());
			} catch (error) {
				const key = error instanceof FlowError ? error.message : `${error.code ?? error.name}: ${error.message}`;
				errors.set(key, (errors.get(key) ?? 0) + 1);
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, total) }, (_, i) => worker(i)));
	return { results, errors, errorCount: [...errors.values()].reduce((a, b) => a + b, 0) };
}

/** GETs `url` for `seconds` at `concurrency` on keep-alive sockets; body read, not parsed. */
export async function throughput(url, seconds, concurrency, serverPid) {
	const agent = newAgent(concurrency);
	// Open the sockets first so connection set-up is not measured.
	await Promise.all(Array.from({ length: concurrency }, () => request(agent, url, { discard: true })));
	let latencies = [];
	let errors = 0;
	let deadline = performance.now() + Math.min(1, seconds) * 1000;
	const worker = async () => {
		while (performance.now() < deadline) {
			const t0 = performance.now();
			try {
				const res = await request(agent, url, { discard: true });
				if (res.status !== 200 || res.length === 0) errors++;
				else latencies.push(performance.now() - t0);
			} catch {
				errors++;
			}
		}
	};
	// One unmeasured second first, so the JIT has seen this route.
	await Promise.all(Array.from({ length: concurrency }, worker));
	latencies = [];
	errors = 0;
	const before = cpuSnapshot(serverPid);
	deadline = before.wall + seconds * 1000;
	await Promise.all(Array.from({ length: concurrency }, worker));
	const after = cpuSnapshot(serverPid);
	agent.destroy();
	const cpu = cpuDelta(before, after, Math.max(1, latencies.length));
	return { rps: latencies.length / (cpu.wallMs / 1000), errors, ...percentiles(latencies), cpu };
}
