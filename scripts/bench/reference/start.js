// node-oidc-provider as a measured target (server.js beside this file) on a fresh Postgres
// database, with the bench account signed in through its interaction once.
import { createHash, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { collectCookies, newAgent, request } from '../http.js';
import { createPostgresDatabase } from '../postgres.js';
import { CLIENT_ID, CLIENT_SECRET } from '../runners.js';
import { profilingNodeArgs, startServerProcess } from '../server-process.js';

const SERVER = fileURLToPath(new URL('./server.js', import.meta.url));

/** Starts the reference on `port` (issuer http://localhost:port), with our demo sites' callbacks registered. */
export async function startReference({ port, sitePorts, postgresURL, profiling }) {
	const issuer = `http://localhost:${port}`;
	const redirectURIs = sitePorts.map((p) => `http://localhost:${p}/auth/callback`);
	const database = await createPostgresDatabase(postgresURL, 'reference');
	const service = { id: 'bench-service', secret: randomBytes(24).toString('base64url') };
	const env = {
		PATH: process.env.PATH,
		NODE_ENV: 'production',
		PORT: String(port),
		ISSUER: issuer,
		DATABASE_URL: database.url,
		REDIRECT_URIS: redirectURIs.join(','),
		CLIENT_SECRET,
		SERVICE_CLIENT_SECRET: service.secret
	};
	const server = await startServerProcess({
		args: [...profilingNodeArgs(profiling, 'reference-postgres'), SERVER],
		cwd: fileURLToPath(new URL('.', import.meta.url)),
		env,
		label: `Postgres database ${database.name}`,
		issuer
	});
	const cookie = await signIn(server.discovery, redirectURIs[0]);
	return { name: 'reference', kind: 'postgres', ...server, database, service, cookie, redirectURI: redirectURIs[0] };
}

/**
 * One authorization request followed through the provider's interaction (login, consent) back
 * to the redirect URI, keeping the cookies it sets: the session the measured flows reuse.
 */
async function signIn(discovery, redirectURI) {
	const agent = newAgent(1);
	const jar = new Map();
	let cookie = '';
	const verifier = randomBytes(32).toString('base64url');
	let url = `${discovery.authorization_endpoint}?${new URLSearchParams({
		response_type: 'code',
		client_id: CLIENT_ID,
		redirect_uri: redirectURI,
		scope: 'openid profile email',
		state: randomBytes(8).toString('base64url'),
		code_challenge: createHash('sha256').update(verifier).digest('base64url'),
		code_challenge_method: 'S256'
	})}`;
	try {
		for (let hop = 0; hop < 10; hop++) {
			const res = await request(agent, url, { headers: cookie ? { cookie } : {} });
			cookie = collectCookies(jar, res.headers['set-cookie']);
			if (res.status < 300 || res.status >= 400 || !res.headers.location)
				throw new Error(`reference sign-in: ${url} answered ${res.status} ${res.body?.slice(0, 200)}`);
			const next = new URL(res.headers.location, url);
			if (next.href.startsWith(redirectURI)) {
				if (!next.searchParams.get('code')) throw new Error(`reference sign-in ended without a code: ${next.search}`);
				if (!jar.has('_session')) throw new Error('reference sign-in set no _session cookie');
				// Only the session cookies (and their signatures): what a browser sends to /auth later.
				return [...jar]
					.filter(([name]) => name.startsWith('_session'))
					.map(([n, v]) => `${n}=${v}`)
					.join('; ');
			}
			url = next.href;
		}
		throw new Error('reference sign-in: too many redirects');
	} finally {
		agent.destroy();
	}
}
