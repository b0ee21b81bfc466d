import { signingKeys } from '../db/schema';
import { KeyStore } from '../oidc/keys';
import { openConfiguredDatabase } from './database';

const USAGE = `npm run keys -- <command>
  list     the keys in the jwks table and their state
  rotate   publish a successor for every algorithm now; it starts signing after the
           publish-before-use delay, and the old key stays published until its tokens expire`;

export async function main(args: string[], env: Record<string, string | undefined>): Promise<number> {
	const [command] = args;
	if (command !== 'list' && command !== 'rotate') {
		console.log(USAGE);
		return command ? 2 : 0;
	}
	const { handle, config } = await openConfiguredDatabase(env);
	try {
		const keys = new KeyStore(handle.db, config.secret, { policy: { publishBeforeUseSeconds: config.keys.publishBeforeUseSeconds } });
		if (command === 'rotate') {
			const kids = await keys.scheduleRotation();
			const delay = keys.policy.publishBeforeUseSeconds;
			const when = delay % 60 === 0 ? `${delay / 60} minutes` : `${delay} seconds`;
			console.log(kids.length ? `published next keys ${kids.join(', ')}; they start signing in ${when}` : 'a rotation is already scheduled');
		}
		const rows = await handle.db.select().from(signingKeys).orderBy(signingKeys.createdAt);
		for (const k of rows) {
			console.log(`${k.id}\t${k.alg}\t${k.status}\tcreated ${k.createdAt.toISOString()}${k.retiredAt ? `\tretired ${k.retiredAt.toISOString()}` : ''}`);
		}
		if (rows.length === 0) console.log('no keys yet: they are created on the first JWKS request or token');
		return 0;
	} finally {
		await handle.close();
	}
}
