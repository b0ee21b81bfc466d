import { eq } from 'drizzle-orm';
import { parseArgs } from 'node:util';
import { clients } from '../db/schema';
import { saveClient, type TokenEndpointAuthMethod } from '../oidc/clients';
import { createInitialAccessToken, listInitialAccessTokens } from '../oidc/initial-access-tokens';
import { checkAccessPolicy } from '../oidc/resource-servers';
import { DEFAULT_GRANT_TYPES, GRANT_TYPES, isGrantType } from '../oidc/grant-types';
import type { Database } from '../db';
import { isSigningAlgorithm } from '../oidc/keys';
import { generateSecret } from '../secrets';
import { openConfiguredDatabase } from './database';

const USAGE = `npm run clients -- <command>
  list
  add --name <name> --redirect-uri <uri> [--redirect-uri <uri> ...] [--id <client_id>]
      [--public] [--trusted] [--post-logout-redirect-uri <uri> ...] [--backchannel-logout-uri <uri>]
      [--alg RS256|ES256|EdDSA] [--grant-type authorization_code|refresh_token|client_credentials ...]
      [--auth-method client_secret_basic|client_secret_post] [--resource <resource URI> ...] [--scope <api scope> ...]
  allow <client_id> [--resource <resource URI> ...] [--scope <api scope> ...] [--grant-type <grant> ...]
      replaces the client's allowed resources and API scopes (and grant types, when given)
  remove <client_id>
  initial-token --description <text> [--grant-type client_credentials ...] [--resource <uri> ...]
      [--scope <api scope> ...] [--uses <n>] [--expires-in-days <n>]
      an RFC 7591 §3 initial access token: registering with it (Authorization: Bearer) may get
      these grant types, resources and scopes; printed once, only its hash is stored
  initial-tokens   lists the initial access tokens (not their values)`;

/** Operator CLI for clients when dynamic registration is not used. Prints a new secret once. */
export async function main(args: string[], env: Record<string, string | undefined>): Promise<number> {
	const [command, ...rest] = args;
	if (!['list', 'add', 'allow', 'remove', 'initial-token', 'initial-tokens'].includes(command)) {
		console.log(USAGE);
		return command ? 2 : 0;
	}
	const { handle } = await openConfiguredDatabase(env);
	const { db } = handle;
	try {
		if (command === 'list') {
			const rows = await db.select().from(clients).orderBy(clients.createdAt);
			for (const c of rows) {
				console.log(
					`${c.id}\t${c.name}\t${c.tokenEndpointAuthMethod}${c.trusted ? '\ttrusted' : ''}${c.selfRegistered ? '\tself-registered' : ''}` +
						`\n\tredirect_uris: ${c.redirectURIs.join(' ')}` +
						`\n\tgrant_types: ${c.grantTypes.join(' ')}` +
						`${c.allowedResources.length ? `\n\tresources: ${c.allowedResources.join(' ')}\n\tscopes: ${c.allowedScopes.join(' ')}` : ''}`
				);
			}
			if (rows.length === 0) console.log('no clients registered');
			return 0;
		}
		if (command === 'remove') {
			const id = rest[0];
			if (!id) throw new Error('usage: npm run clients -- remove <client_id>');
			const removed = await db.delete(clients).where(eq(clients.id, id)).returning({ id: clients.id });
			console.log(removed.length ? `removed ${id} (its grants and tokens went with it)` : `no client ${id}`);
			return removed.length ? 0 : 1;
		}
		if (command === 'allow') return await allow(db, rest);
		if (command === 'initial-token') return await issueInitialToken(db, rest);
		if (command === 'initial-tokens') {
			const rows = await listInitialAccessTokens(db);
			for (const t of rows) {
				const uses = t.usesLeft === null ? 'unlimited uses' : `${t.usesLeft} uses left`;
				console.log(
					`${t.tokenHash.slice(0, 12)}…\t${t.description}\t${uses}\t${t.expiresAt ? `expires ${t.expiresAt.toISOString()}` : 'no expiry'}` +
						`\n\tgrant_types: ${t.allowedGrantTypes.join(' ') || "(open registration's)"}` +
						`\tresources: ${t.allowedResources.join(' ') || '(none)'}\tscopes: ${t.allowedScopes.join(' ') || '(none)'}`
				);
			}
			if (rows.length === 0) console.log('no initial access tokens');
			return 0;
		}
		const { values } = parseArgs({
			args: rest,
			options: {
				'auth-method': { type: 'string' },
				resource: { type: 'string', multiple: true },
				scope: { type: 'string', multiple: true },
				id: { type: 'string' },
				name: { type: 'string' },
				'redirect-uri': { type: 'string', multiple: true },
				'post-logout-redirect-uri': { type: 'string', multiple: true },
				'backchannel-logout-uri': { type: 'string' },
				public: { type: 'boolean' },
				trusted: { type: 'boolean' },
				alg: { type: 'string' },
				'grant-type': { type: 'string', multiple: true }
			}
		});
		if (!values.name || !values['redirect-uri']?.length) throw new Error('add needs --name and at least one --redirect-uri');
		for (const uri of [...values['redirect-uri'], ...(values['post-logout-redirect-uri'] ?? [])]) new URL(uri);
		const alg = values.alg ?? 'RS256';
		if (!isSigningAlgorithm(alg)) throw new Error('--alg must be RS256, ES256 or EdDSA');
		const method = authMethod(values.public, values['auth-method']);
		const resources = values.resource ?? [];
		const scopes = values.scope ?? [];
		await checkAccessPolicy(db, scopes, resources);
		const secret = values.public ? undefined : generateSecret(32);
		const id = values.id ?? generateSecret(16);
		await saveClient(db, {
			id,
			secret,
			name: values.name,
			redirectURIs: values['redirect-uri'],
			postLogoutRedirectURIs: values['post-logout-redirect-uri'],
			backchannelLogoutURI: values['backchannel-logout-uri'],
			tokenEndpointAuthMethod: method,
			idTokenSignedResponseAlg: alg,
			grantTypes: grantTypes(values['grant-type']) ?? [...DEFAULT_GRANT_TYPES],
			trusted: values.trusted ?? false,
			allowedResources: resources,
			allowedScopes: scopes
		});
		console.log(`client_id:     ${id}`);
		if (secret) console.log(`client_secret: ${secret}\n(shown once: only its SHA-256 is stored)`);
		return 0;
	} finally {
		await handle.close();
	}
}

function authMethod(isPublic: boolean | undefined, value: string | undefined): TokenEndpointAuthMethod {
	if (isPublic) {
		if (value !== undefined && value !== 'none') throw new Error('--public clients have no secret: leave out --auth-method');
		return 'none';
	}
	if (value === undefined) return 'client_secret_basic';
	if (value !== 'client_secret_basic' && value !== 'client_secret_post') throw new Error('--auth-method must be client_secret_basic or client_secret_post');
	return value;
}

function grantTypes(values: string[] | undefined): string[] | undefined {
	const unknown = values?.find((g) => !isGrantType(g));
	if (unknown) throw new Error(`--grant-type must be one of ${GRANT_TYPES.join(', ')}`);
	return values;
}

/** `clients allow`: replaces what an operator allows a client (resources, API scopes, grant types). */
async function allow(db: Database, args: string[]): Promise<number> {
	const { values, positionals } = parseArgs({
		args,
		allowPositionals: true,
		options: { resource: { type: 'string', multiple: true }, scope: { type: 'string', multiple: true }, 'grant-type': { type: 'string', multiple: true } }
	});
	const id = positionals[0];
	if (!id) throw new Error('usage: npm run clients -- allow <client_id> [--resource <uri> ...] [--scope <scope> ...] [--grant-type <grant> ...]');
	const resources = values.resource ?? [];
	const scopes = values.scope ?? [];
	await checkAccessPolicy(db, scopes, resources);
	const grants = grantTypes(values['grant-type']);
	const updated = await db
		.update(clients)
		.set({ allowedResources: resources, allowedScopes: scopes, ...(grants ? { grantTypes: grants } : {}) })
		.where(eq(clients.id, id))
		.returning({ id: clients.id, grantTypes: clients.grantTypes });
	if (!updated.length) {
		console.log(`no client ${id}`);
		return 1;
	}
	console.log(`${id}\tgrant_types: ${updated[0].grantTypes.join(' ')}\tresources: ${resources.join(' ') || '(none)'}\tscopes: ${scopes.join(' ') || '(none)'}`);
	return 0;
}

/** `clients initial-token`: an RFC 7591 §3 initial access token, printed once. */
async function issueInitialToken(db: Database, args: string[]): Promise<number> {
	const { values } = parseArgs({
		args,
		options: {
			description: { type: 'string' },
			'grant-type': { type: 'string', multiple: true },
			resource: { type: 'string', multiple: true },
			scope: { type: 'string', multiple: true },
			uses: { type: 'string' },
			'expires-in-days': { type: 'string' }
		}
	});
	if (!values.description) throw new Error('initial-token needs --description (who it is for)');
	const resources = values.resource ?? [];
	const scopes = values.scope ?? [];
	await checkAccessPolicy(db, scopes, resources);
	const uses = values.uses === undefined ? undefined : Number(values.uses);
	if (uses !== undefined && (!Number.isInteger(uses) || uses < 1)) throw new Error('--uses must be a positive whole number');
	const days = values['expires-in-days'] === undefined ? undefined : Number(values['expires-in-days']);
	if (days !== undefined && !(days > 0)) throw new Error('--expires-in-days must be a positive number');
	const expiresAt = days === undefined ? undefined : new Date(Date.now() + days * 86_400_000);
	const token = await createInitialAccessToken(db, {
		description: values.description,
		grantTypes: grantTypes(values['grant-type']),
		resources,
		scopes,
		uses,
		expiresAt
	});
	console.log(`initial_access_token: ${token}\n(shown once: only its SHA-256 is stored; send it as Authorization: Bearer to the registration endpoint)`);
	return 0;
}
