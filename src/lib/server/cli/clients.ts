import { eq } from 'drizzle-orm';
import { parseArgs } from 'node:util';
import { clients } from '../db/schema';
import { saveClient, type TokenEndpointAuthMethod } from '../oidc/clients';
import { isSigningAlgorithm } from '../oidc/keys';
import { generateSecret } from '../secrets';
import { openConfiguredDatabase } from './database';

const USAGE = `npm run clients -- <command>
  list
  add --name <name> --redirect-uri <uri> [--redirect-uri <uri> ...] [--id <client_id>]
      [--public] [--trusted] [--post-logout-redirect-uri <uri> ...] [--backchannel-logout-uri <uri>]
      [--alg RS256|ES256|EdDSA] [--grant-type authorization_code|refresh_token|client_credentials ...]
  remove <client_id>`;

/** Operator CLI for clients when dynamic registration is not used. Prints a new secret once. */
export async function main(args: string[], env: Record<string, string | undefined>): Promise<number> {
	const [command, ...rest] = args;
	if (!['list', 'add', 'remove'].includes(command)) {
		console.log(USAGE);
		return command ? 2 : 0;
	}
	const { handle } = await openConfiguredDatabase(env);
	const { db } = handle;
	try {
		if (command === 'list') {
			const rows = await db.select().from(clients).orderBy(clients.createdAt);
			for (const c of rows) {
				console.log(`${c.id}\t${c.name}\t${c.tokenEndpointAuthMethod}${c.trusted ? '\ttrusted' : ''}\n\tredirect_uris: ${c.redirectURIs.join(' ')}`);
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
		const { values } = parseArgs({
			args: rest,
			options: {
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
		const method: TokenEndpointAuthMethod = values.public ? 'none' : 'client_secret_basic';
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
			grantTypes: values['grant-type'] ?? ['authorization_code', 'refresh_token'],
			trusted: values.trusted ?? false
		});
		console.log(`client_id:     ${id}`);
		if (secret) console.log(`client_secret: ${secret}\n(shown once: only its SHA-256 is stored)`);
		return 0;
	} finally {
		await handle.close();
	}
}
