// node-oidc-provider (panva, 9.x) as the benchmark's reference, configured like our provider
// for the flows `npm run bench` measures (docs/benchmark.md, "How the reference is configured"):
//
// - the same clients, stored in Postgres: internal-dashboard (confidential, client_secret_post, as the seeded one;
//   both demo callbacks) and a client_credentials service client (client_secret_basic) for one
//   API (RFC 8707 resource https://api.bench.example, scope reports:read);
// - PKCE S256 required (RFC 7636; RFC 9700 §2.1.1), RS256 ID tokens from one RSA-2048 key;
// - scopes openid profile email offline_access; the ID token carries the profile/email claims
//   (conformIdTokenClaims: false), as ours does;
// - access tokens are RS256 JWTs (RFC 9068) like ours: for user grants through a default
//   resource that stands for our UserInfo audience, for client_credentials the API's identifier;
// - refresh tokens: issued to the (first-party) dashboard without offline_access, as ours, and
//   rotated on every use (RFC 9700 §4.14.2), reuse revokes the grant;
// - every model stored in Postgres (postgres-adapter.js), the account read from Postgres at
//   each grant as ours reads its user; cookies signed with a random key; NODE_ENV=production.
//
// The interaction (login + consent) signs the bench account in without a form: the bench
// signs in once, so this path is not measured. Environment: PORT, ISSUER, DATABASE_URL,
// REDIRECT_URIS (comma-separated), CLIENT_SECRET, SERVICE_CLIENT_SECRET, DATABASE_POOL_SIZE.
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import postgres from 'postgres';
import { createPostgresAdapter } from './postgres-adapter.js';

const env = (name) => {
	const value = process.env[name];
	if (!value) {
		console.error(`[reference] ${name} is not set`);
		process.exit(2);
	}
	return value;
};
const PORT = Number(env('PORT'));
const ISSUER = env('ISSUER');
const SERVICE_API = 'https://api.bench.example';
/** Stands for our access tokens' audience (the UserInfo resource): user access tokens are JWTs for it. */
const USER_RESOURCE = `${ISSUER}/userinfo`;
const ACCOUNT = { id: 'bench-user', name: 'Demo User', email: 'demo@example.com' };

const sql = postgres(env('DATABASE_URL'), { max: Number(process.env.DATABASE_POOL_SIZE || 10), onnotice: () => {} });
const adapter = await createPostgresAdapter(sql);
await sql`create table if not exists account (id text primary key, name text not null, email text not null, email_verified boolean not null)`;
await sql`insert into account values (${ACCOUNT.id}, ${ACCOUNT.name}, ${ACCOUNT.email}, true) on conflict do nothing`;

const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
const signingKey = { ...(await exportJWK(privateKey)), kid: randomBytes(8).toString('base64url'), alg: 'RS256', use: 'sig' };

const resourceServers = {
	[USER_RESOURCE]: { scope: 'openid profile email', audience: USER_RESOURCE, accessTokenTTL: 3600, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } },
	[SERVICE_API]: { scope: 'reports:read', audience: SERVICE_API, accessTokenTTL: 3600, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } }
};

// The clients live in the database, as ours do (registered by the CLI or dynamically): the
// provider reads them through the adapter at every request, not from its static list.
const clients = [
	{
		client_id: 'internal-dashboard',
		client_secret: env('CLIENT_SECRET'),
		redirect_uris: env('REDIRECT_URIS').split(','),
		grant_types: ['authorization_code', 'refresh_token'],
		response_types: ['code'],
		token_endpoint_auth_method: 'client_secret_post',
		id_token_signed_response_alg: 'RS256'
	},
	{
		client_id: 'bench-service',
		client_secret: env('SERVICE_CLIENT_SECRET'),
		redirect_uris: [],
		grant_types: ['client_credentials'],
		response_types: [],
		token_endpoint_auth_method: 'client_secret_basic'
	}
];
for (const client of clients) await new adapter('Client').upsert(client.client_id, client);

const provider = new Provider(ISSUER, {
	adapter,
	jwks: { keys: [signingKey] },
	cookies: { keys: [randomBytes(32).toString('base64url')] },
	scopes: ['openid', 'profile', 'email', 'offline_access'],
	claims: { openid: ['sub'], profile: ['name'], email: ['email', 'email_verified'] },
	conformIdTokenClaims: false,
	pkce: { required: () => true },
	enabledJWA: { idTokenSigningAlgValues: ['RS256'] },
	ttl: {
		AccessToken: 3600,
		AuthorizationCode: 60,
		IdToken: 3600,
		RefreshToken: 30 * 24 * 3600,
		Grant: 30 * 24 * 3600,
		Session: 30 * 24 * 3600,
		Interaction: 600
	},
	// Ours hands the first-party dashboard a refresh token without offline_access (oidc/grants/authorization-code.ts offersRefresh).
	issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
	rotateRefreshToken: true,
	async findAccount(_ctx, id) {
		const [row] = await sql`select id, name, email, email_verified from account where id = ${id}`;
		if (!row) return undefined;
		return {
			accountId: row.id,
			claims: async () => ({ sub: row.id, name: row.name, email: row.email, email_verified: row.email_verified })
		};
	},
	interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
	features: {
		devInteractions: { enabled: false },
		clientCredentials: { enabled: true },
		revocation: { enabled: true },
		resourceIndicators: {
			enabled: true,
			// A request without `resource` is for the UserInfo audience, as all of ours are.
			defaultResource: async (_ctx, _client, oneOf) => oneOf ?? USER_RESOURCE,
			useGrantedResource: async () => true,
			getResourceServerInfo: async (_ctx, resource, client) => {
				const info = resourceServers[resource];
				if (!info) throw new Provider.errors.InvalidTarget();
				if (resource === SERVICE_API && client.clientId !== 'bench-service') throw new Provider.errors.InvalidTarget();
				return info;
			}
		}
	}
});

/** The bench account's sign-in: login, then consent to everything the dashboard asks for. */
async function interaction(req, res) {
	const details = await provider.interactionDetails(req, res);
	if (details.prompt.name === 'login') {
		await provider.interactionFinished(req, res, { login: { accountId: ACCOUNT.id } }, { mergeWithLastSubmission: false });
		return;
	}
	const grant = details.grantId
		? await provider.Grant.find(details.grantId)
		: new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
	grant.addOIDCScope('openid profile email offline_access');
	grant.addResourceScope(USER_RESOURCE, 'openid profile email');
	await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
}

const callback = provider.callback();
const server = http.createServer((req, res) => {
	if (req.url.startsWith('/interaction/')) {
		interaction(req, res).catch((error) => {
			console.error(`[reference] interaction: ${error.stack ?? error}`);
			res.writeHead(500).end();
		});
		return;
	}
	callback(req, res);
});
provider.on('server_error', (_ctx, error) => console.error(`[reference] server_error: ${error.stack ?? error}`));
server.listen(PORT, () => console.log(`[reference] node-oidc-provider listening on :${PORT} as ${ISSUER}`));
for (const signal of ['SIGTERM', 'SIGINT']) {
	process.once(signal, () => {
		server.close();
		server.closeAllConnections();
		sql.end({ timeout: 5 }).finally(() => process.exit(0));
	});
}
