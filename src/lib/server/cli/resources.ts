import { parseArgs } from 'node:util';
import { listResourceServers, parseResourceServer, removeResourceServer, saveResourceServer } from '../oidc/resource-servers';
import { openConfiguredDatabase } from './database';

const USAGE = `npm run resources -- <command>
  list
  add --id <resource URI> --name <name> [--scope <scope> ...]
      declares (or replaces) an API the provider issues access tokens for; its URI is the
      tokens' aud (RFC 8707), its scopes the only API scopes clients can be allowed
  remove <resource URI>`;

/** Operator CLI for resource servers (the APIs access tokens are for). */
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
			const servers = await listResourceServers(db);
			for (const s of servers) console.log(`${s.id}\t${s.name}\tscopes: ${s.scopes.join(' ') || '(none)'}`);
			if (servers.length === 0) console.log('no resource servers declared');
			return 0;
		}
		if (command === 'remove') {
			const id = rest[0];
			if (!id) throw new Error('usage: npm run resources -- remove <resource URI>');
			const removed = await removeResourceServer(db, id);
			console.log(removed ? `removed ${id} (clients allowed it can no longer get tokens for it)` : `no resource server ${id}`);
			return removed ? 0 : 1;
		}
		const { values } = parseArgs({ args: rest, options: { id: { type: 'string' }, name: { type: 'string' }, scope: { type: 'string', multiple: true } } });
		const server = parseResourceServer({ id: values.id, name: values.name, scopes: values.scope ?? [] });
		await saveResourceServer(db, server);
		console.log(`resource server ${server.id}\t${server.name}\tscopes: ${server.scopes.join(' ') || '(none)'}`);
		return 0;
	} finally {
		await handle.close();
	}
}
