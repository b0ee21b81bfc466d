// @ts-check
// Local stand-ins for the upstream identity providers, speaking their real protocols so the
// provider's code runs unchanged against them (ARCHITECTURE.md: never stub the client library):
// - fake GitHub: OAuth 2.0 web flow (authorize page with a consent form, POST
//   /login/oauth/access_token answering JSON, with GitHub's habit of answering errors with 200),
//   PKCE S256, single-use codes, and the REST API's GET /user and GET /user/emails with Bearer;
// - fake OpenID provider (Google-like): discovery, JWKS, an authorize page with a consent form,
//   a token endpoint that returns an RS256-signed ID token with iss, aud, exp, iat and nonce.
// The consent form says who signs in (login, name, email, whether the upstream verified it), so
// a browser test and a person trying the product offline choose the upstream account there.
// `behaviour` switches faults per test: slow or failing endpoints, tampered ID tokens.
// Plain JavaScript (JSDoc types), so tests/e2e/start-server.js can run it without a build.
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

/**
 * @typedef {object} ConsentAnswer Who signs in at the upstream (the consent form's fields).
 * @property {string} login GitHub login, or the OpenID `sub` (and preferred_username).
 * @property {string} name
 * @property {string} email
 * @property {boolean | string} verified Whether the upstream verified the address; a string is sent as is (OIDC only).
 */

/**
 * @typedef {object} Behaviour Faults to switch on, per test.
 * @property {number} [tokenDelayMs] The token endpoint answers this late.
 * @property {'reset' | 503} [tokenFailure] The token endpoint drops the connection or answers 503.
 * @property {number} [apiDelayMs] GitHub's API (or OIDC discovery and JWKS) answers this late.
 * @property {{ nonce?: string, aud?: string, iss?: string, expired?: boolean, badSignature?: boolean, amr?: string[] }} [idToken]
 *   Tampering with the next ID tokens.
 * @property {ConsentAnswer} [autoConsent] Skip the consent page: answer at once as this person (for HTTP-only tests).
 */

/** @param {import('node:http').IncomingMessage} request */
async function readBody(request) {
	const chunks = [];
	for await (const chunk of request) chunks.push(chunk);
	return Buffer.concat(chunks).toString('utf8');
}

/** @param {string} text */
function escapeHTML(text) {
	return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const token = () => randomBytes(20).toString('hex');
const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Client authentication at the token endpoint: HTTP Basic (RFC 6749 §2.3.1, what arctic sends)
 * or client_id/client_secret in the body.
 * @param {import('node:http').IncomingMessage} request
 * @param {URLSearchParams} body
 */
function clientCredentials(request, body) {
	const header = request.headers.authorization ?? '';
	if (header.startsWith('Basic ')) {
		const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
		const colon = decoded.indexOf(':');
		return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
	}
	return { id: body.get('client_id') ?? '', secret: body.get('client_secret') ?? '' };
}

/** @param {string} verifier */
function s256(verifier) {
	return createHash('sha256').update(verifier).digest('base64url');
}

/**
 * The consent page both fakes show: the person picks who they are and allows or cancels.
 * @param {{ title: string, action: string, query: URLSearchParams, defaults: ConsentAnswer, verifiedAsText: boolean }} options
 */
function consentPage({ title, action, query, defaults, verifiedAsText }) {
	const style =
		'body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;color:#111}' +
		'button{font-size:1rem;padding:.4rem 1rem;margin-right:.5rem}';
	const checked = defaults.verified === true || defaults.verified === 'true' ? ' checked' : '';
	const hidden = [...query].map(([k, v]) => `<input type="hidden" name="${escapeHTML(k)}" value="${escapeHTML(v)}">`).join('\n');
	const field = (/** @type {string} */ name, /** @type {string} */ label, /** @type {string} */ value) =>
		`<p><label for="${name}">${label}</label><br><input id="${name}" name="${name}" value="${escapeHTML(value)}"></p>`;
	return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHTML(title)}: authorize</title>
<style>${style}</style></head>
<body><main>
<h1>${escapeHTML(title)}</h1>
<p>A test stand-in for the real service. Choose who signs in, then authorize the provider.</p>
<form method="POST" action="${escapeHTML(action)}">
${hidden}
${field('login', 'Login', defaults.login)}
${field('name', 'Name', defaults.name)}
${field('email', 'Email', defaults.email)}
<p><input type="checkbox" id="verified" name="verified" value="${verifiedAsText ? 'true' : 'on'}"${checked}> <label for="verified">Email verified</label></p>
<button name="decision" value="allow">Authorize</button>
<button name="decision" value="deny">Cancel</button>
</form>
</main></body></html>`;
}

/**
 * @param {import('node:http').ServerResponse} response
 * @param {number} status
 * @param {unknown} body
 */
function json(response, status, body) {
	response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
	response.end(JSON.stringify(body));
}

/** @param {import('node:http').ServerResponse} response @param {string} location */
function redirectTo(response, location) {
	response.writeHead(302, { location });
	response.end();
}

/**
 * @param {(request: import('node:http').IncomingMessage, response: import('node:http').ServerResponse, url: URL) => Promise<void>} handle
 * @param {number} port
 */
async function listen(handle, port) {
	/** @type {Set<import('node:net').Socket>} */
	const sockets = new Set();
	const server = createServer((request, response) => {
		const url = new URL(request.url ?? '/', 'http://fake.invalid');
		handle(request, response, url).catch((error) => {
			if (!response.headersSent) json(response, 500, { error: 'server_error', error_description: String(error) });
			else response.destroy();
		});
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(undefined)));
	const address = server.address();
	if (!address || typeof address === 'string') throw new Error('no address');
	return {
		url: `http://127.0.0.1:${address.port}`,
		close: () =>
			new Promise((resolve) => {
				for (const socket of sockets) socket.destroy();
				server.close(() => resolve(undefined));
			})
	};
}

/**
 * The consent form's answer, or the automatic one.
 * @param {URLSearchParams} form
 * @param {ConsentAnswer} defaults
 * @returns {ConsentAnswer}
 */
function answerFrom(form, defaults) {
	return {
		login: form.get('login') || defaults.login,
		name: form.get('name') ?? defaults.name,
		email: form.get('email') ?? defaults.email,
		// The checkbox sends `on`; any other value is passed on as the claim's raw value (OIDC).
		verified: !form.has('verified') ? false : form.get('verified') === 'on' ? true : String(form.get('verified'))
	};
}

/** A stable positive number for a login (GitHub's user id). @param {string} login */
function numericID(login) {
	return Number.parseInt(createHash('sha256').update(login).digest('hex').slice(0, 12), 16);
}

/**
 * Fake GitHub: `url` is its origin; the provider's env comes from `env()`.
 * @param {{ port?: number, clientId?: string, clientSecret?: string, defaults?: ConsentAnswer }} [options]
 */
export async function startFakeGitHub(options = {}) {
	const clientId = options.clientId ?? 'fake-github-client';
	const clientSecret = options.clientSecret ?? 'fake-github-secret';
	const defaults = options.defaults ?? { login: 'octocat', name: 'The Octocat', email: 'octocat@example.com', verified: true };
	/** @type {Behaviour} */
	const behaviour = {};
	/**
	 * @type {Map<string, { answer: ConsentAnswer, redirectURI: string | null, challenge: string | null, method: string | null, clientId: string,
	 *   expiresAt: number }>}
	 */
	const codes = new Map();
	/** @type {Map<string, ConsentAnswer>} */
	const accessTokens = new Map();
	/** @type {string[]} Codes presented to the token endpoint, in order. */
	const redeemed = [];

	/**
	 * @param {import('node:http').ServerResponse} response
	 * @param {URLSearchParams} params
	 * @param {ConsentAnswer | null} answer
	 */
	function decide(response, params, answer) {
		const redirectURI = params.get('redirect_uri');
		if (!redirectURI) return json(response, 400, { error: 'redirect_uri is required here' });
		const back = new URL(redirectURI);
		const state = params.get('state');
		if (!answer) {
			// What GitHub sends when the person cancels.
			back.searchParams.set('error', 'access_denied');
			back.searchParams.set('error_description', 'The user has denied your application access.');
		} else {
			const code = token();
			codes.set(code, {
				answer,
				redirectURI,
				challenge: params.get('code_challenge'),
				method: params.get('code_challenge_method'),
				clientId: params.get('client_id') ?? '',
				expiresAt: Date.now() + 10 * 60_000
			});
			back.searchParams.set('code', code);
		}
		if (state !== null) back.searchParams.set('state', state);
		redirectTo(response, back.href);
	}

	const server = await listen(async (request, response, url) => {
		if (url.pathname === '/login/oauth/authorize' && request.method === 'GET') {
			if (url.searchParams.get('client_id') !== clientId) return json(response, 404, { error: 'unknown client_id' });
			if (behaviour.autoConsent) return decide(response, url.searchParams, behaviour.autoConsent);
			response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
			response.end(consentPage({ title: 'Fake GitHub', action: '/login/oauth/authorize', query: url.searchParams, defaults, verifiedAsText: false }));
			return;
		}
		if (url.pathname === '/login/oauth/authorize' && request.method === 'POST') {
			const form = new URLSearchParams(await readBody(request));
			return decide(response, form, form.get('decision') === 'allow' ? answerFrom(form, defaults) : null);
		}
		if (url.pathname === '/login/oauth/access_token' && request.method === 'POST') {
			const body = new URLSearchParams(await readBody(request));
			if (behaviour.tokenDelayMs) await sleep(behaviour.tokenDelayMs);
			if (behaviour.tokenFailure === 'reset') return void request.socket.destroy();
			if (behaviour.tokenFailure === 503) return json(response, 503, { message: 'Service unavailable' });
			const client = clientCredentials(request, body);
			// GitHub answers these errors with 200 and an `error` member.
			if (client.id !== clientId || client.secret !== clientSecret)
				return json(response, 200, { error: 'incorrect_client_credentials', error_description: 'The client_id and/or client_secret passed are incorrect.' });
			const code = body.get('code') ?? '';
			redeemed.push(code);
			const grant = codes.get(code);
			codes.delete(code); // single use, whatever happens next
			const bad = { error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.' };
			if (!grant || grant.expiresAt < Date.now() || grant.clientId !== client.id) return json(response, 200, bad);
			if (grant.redirectURI !== body.get('redirect_uri'))
				return json(response, 200, {
					error: 'redirect_uri_mismatch',
					error_description: 'The redirect_uri MUST match the registered callback URL for this application.'
				});
			if (grant.challenge) {
				const verifier = body.get('code_verifier') ?? '';
				const matches = grant.method === 'S256' ? s256(verifier) === grant.challenge : verifier === grant.challenge;
				if (!matches) return json(response, 200, bad);
			}
			const accessToken = `gho_${token()}`;
			accessTokens.set(accessToken, grant.answer);
			return json(response, 200, { access_token: accessToken, token_type: 'bearer', scope: 'read:user,user:email' });
		}
		if (url.pathname === '/api/user' || url.pathname === '/api/user/emails') {
			if (behaviour.apiDelayMs) await sleep(behaviour.apiDelayMs);
			const bearer = (request.headers.authorization ?? '').replace(/^Bearer /, '');
			const who = accessTokens.get(bearer);
			if (!who) return json(response, 401, { message: 'Requires authentication', documentation_url: 'https://docs.github.com/rest' });
			if (url.pathname === '/api/user')
				return json(response, 200, { login: who.login, id: numericID(who.login), name: who.name || null, email: null, type: 'User' });
			// A second, verified but not primary, address: it must never count.
			return json(response, 200, [
				{ email: who.email, primary: true, verified: who.verified === true || who.verified === 'true', visibility: 'private' },
				{ email: `${who.login}@users.noreply.github.com`, primary: false, verified: true, visibility: null }
			]);
		}
		json(response, 404, { message: 'Not Found' });
	}, options.port ?? 0);

	return {
		url: server.url,
		clientId,
		clientSecret,
		behaviour,
		redeemed,
		/** The user id GitHub reports for a login (our upstream_identity.subject). @param {string} login */
		subjectOf: (/** @type {string} */ login) => String(numericID(login)),
		/** Whether any access token this fake issued ever reached `text` (e.g. a database dump). @param {string} text */
		leakedAccessToken: (/** @type {string} */ text) => [...accessTokens.keys()].some((t) => text.includes(t)),
		/** The provider's environment for this fake. */
		env: () => ({
			GITHUB_CLIENT_ID: clientId,
			GITHUB_CLIENT_SECRET: clientSecret,
			GITHUB_AUTHORIZE_URL: `${server.url}/login/oauth/authorize`,
			GITHUB_TOKEN_URL: `${server.url}/login/oauth/access_token`,
			GITHUB_API_URL: `${server.url}/api`
		}),
		close: server.close
	};
}

/**
 * A fake OpenID provider (Google-like): issuer = `url`, discovery at
 * `${url}/.well-known/openid-configuration`.
 * @param {{ port?: number, clientId?: string, clientSecret?: string, title?: string, defaults?: ConsentAnswer }} [options]
 */
export async function startFakeOIDC(options = {}) {
	const clientId = options.clientId ?? 'fake-oidc-client.apps.example';
	const clientSecret = options.clientSecret ?? 'fake-oidc-secret';
	const title = options.title ?? 'Fake Google';
	const defaults = options.defaults ?? { login: 'user-1', name: 'Gina Google', email: 'gina@example.com', verified: true };
	const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
	const other = await generateKeyPair('RS256');
	const kid = token().slice(0, 16);
	const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
	/** @type {Behaviour} */
	const behaviour = {};
	/**
	 * @type {Map<string, { answer: ConsentAnswer, redirectURI: string | null, challenge: string | null, nonce: string | null, clientId: string,
	 *   expiresAt: number }>}
	 */
	const codes = new Map();
	/** @type {Map<string, ConsentAnswer>} */
	const accessTokens = new Map();
	/** @type {string} */
	let issuer = '';

	/**
	 * @param {import('node:http').ServerResponse} response
	 * @param {URLSearchParams} params
	 * @param {ConsentAnswer | null} answer
	 */
	function decide(response, params, answer) {
		const redirectURI = params.get('redirect_uri');
		if (!redirectURI) return json(response, 400, { error: 'invalid_request' });
		const back = new URL(redirectURI);
		if (!answer) {
			back.searchParams.set('error', 'access_denied');
		} else {
			const code = token();
			codes.set(code, {
				answer,
				redirectURI,
				challenge: params.get('code_challenge'),
				nonce: params.get('nonce'),
				clientId: params.get('client_id') ?? '',
				expiresAt: Date.now() + 60_000
			});
			back.searchParams.set('code', code);
		}
		const state = params.get('state');
		if (state !== null) back.searchParams.set('state', state);
		redirectTo(response, back.href);
	}

	/** @param {ConsentAnswer} answer @param {string | null} nonce */
	async function idTokenFor(answer, nonce) {
		const tamper = behaviour.idToken ?? {};
		const now = Math.floor(Date.now() / 1000);
		const iat = tamper.expired ? now - 7200 : now;
		const claims = {
			email: answer.email,
			// Google sends a boolean; a string ("true") is sent as given, like some providers do.
			email_verified: answer.verified,
			name: answer.name || undefined,
			preferred_username: answer.login,
			nonce: tamper.nonce ?? nonce ?? undefined,
			...(tamper.amr ? { amr: tamper.amr } : {})
		};
		return new SignJWT(claims)
			.setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
			.setIssuer(tamper.iss ?? issuer)
			.setAudience(tamper.aud ?? clientId)
			.setSubject(answer.login)
			.setIssuedAt(iat)
			.setExpirationTime(iat + 3600)
			.sign(tamper.badSignature ? other.privateKey : privateKey);
	}

	const server = await listen(async (request, response, url) => {
		if (url.pathname === '/.well-known/openid-configuration') {
			if (behaviour.apiDelayMs) await sleep(behaviour.apiDelayMs);
			return json(response, 200, {
				issuer,
				authorization_endpoint: `${issuer}/o/oauth2/v2/auth`,
				token_endpoint: `${issuer}/token`,
				userinfo_endpoint: `${issuer}/v1/userinfo`,
				jwks_uri: `${issuer}/oauth2/v3/certs`,
				response_types_supported: ['code'],
				subject_types_supported: ['public'],
				id_token_signing_alg_values_supported: ['RS256'],
				scopes_supported: ['openid', 'email', 'profile'],
				token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
				code_challenge_methods_supported: ['plain', 'S256'],
				claims_supported: ['sub', 'email', 'email_verified', 'name', 'iss', 'aud', 'exp', 'iat', 'nonce']
			});
		}
		if (url.pathname === '/oauth2/v3/certs') return json(response, 200, { keys: [jwk] });
		if (url.pathname === '/o/oauth2/v2/auth' && request.method === 'GET') {
			if (url.searchParams.get('client_id') !== clientId) return json(response, 400, { error: 'invalid_client' });
			if (behaviour.autoConsent) return decide(response, url.searchParams, behaviour.autoConsent);
			response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
			response.end(consentPage({ title, action: '/o/oauth2/v2/auth', query: url.searchParams, defaults, verifiedAsText: false }));
			return;
		}
		if (url.pathname === '/o/oauth2/v2/auth' && request.method === 'POST') {
			const form = new URLSearchParams(await readBody(request));
			return decide(response, form, form.get('decision') === 'allow' ? answerFrom(form, defaults) : null);
		}
		if (url.pathname === '/token' && request.method === 'POST') {
			const body = new URLSearchParams(await readBody(request));
			if (behaviour.tokenDelayMs) await sleep(behaviour.tokenDelayMs);
			if (behaviour.tokenFailure === 'reset') return void request.socket.destroy();
			if (behaviour.tokenFailure === 503) return json(response, 503, { error: 'temporarily_unavailable' });
			const client = clientCredentials(request, body);
			if (client.id !== clientId || client.secret !== clientSecret) return json(response, 401, { error: 'invalid_client' });
			const code = body.get('code') ?? '';
			const grant = codes.get(code);
			codes.delete(code);
			if (!grant || grant.expiresAt < Date.now() || grant.clientId !== client.id || grant.redirectURI !== body.get('redirect_uri')) {
				return json(response, 400, { error: 'invalid_grant', error_description: 'Bad Request' });
			}
			if (grant.challenge && s256(body.get('code_verifier') ?? '') !== grant.challenge)
				return json(response, 400, { error: 'invalid_grant', error_description: 'Missing code verifier.' });
			const accessToken = `ya29.${token()}`;
			accessTokens.set(accessToken, grant.answer);
			return json(response, 200, {
				access_token: accessToken,
				expires_in: 3599,
				token_type: 'Bearer',
				scope: 'openid email profile',
				id_token: await idTokenFor(grant.answer, grant.nonce)
			});
		}
		if (url.pathname === '/v1/userinfo') {
			const who = accessTokens.get((request.headers.authorization ?? '').replace(/^Bearer /, ''));
			if (!who) return json(response, 401, { error: 'invalid_token' });
			return json(response, 200, { sub: who.login, email: who.email, email_verified: who.verified, name: who.name });
		}
		json(response, 404, { error: 'not_found' });
	}, options.port ?? 0);
	issuer = server.url;

	return {
		url: server.url,
		issuer,
		clientId,
		clientSecret,
		behaviour,
		leakedAccessToken: (/** @type {string} */ text) => [...accessTokens.keys()].some((t) => text.includes(t)),
		/** The provider's environment for this fake as Google. */
		googleEnv: () => ({ GOOGLE_CLIENT_ID: clientId, GOOGLE_CLIENT_SECRET: clientSecret, GOOGLE_DISCOVERY_URL: `${issuer}/.well-known/openid-configuration` }),
		/** This fake as one entry of UPSTREAM_OIDC. @param {string} id @param {string} name */
		genericEntry: (/** @type {string} */ id, /** @type {string} */ name) => ({
			id,
			name,
			discovery_url: `${issuer}/.well-known/openid-configuration`,
			client_id: clientId,
			client_secret: clientSecret
		}),
		close: server.close
	};
}
