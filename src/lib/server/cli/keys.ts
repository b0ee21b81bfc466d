import { signingKeys } from '../db/schema';
import { KeyStore } from '../oidc/keys';
import { openConfiguredDatabase } from './database';

const USAGE = `npm run keys -- <command>
  list     the keys in the jwks table and their state
  rotate   publish a successor for every algorithm now; it starts signing after the
           publish-before-use delay, and the old key stays published until its tokens expire
  revoke KID
           for a compromised key: it leaves the JWKS, and within seconds no instance accepts
           anything it signed (access tokens, ID token hints); if it was signing, a new key
           takes over at once. Access tokens it signed stop working (clients refresh them)`;

export async function main(args: string[], env: Record<string, string | undefined>): Promise<number> {
	const [command, kid] = args;
	if (command !== 'list' && command !== 'rotate' && command !== 'revoke') {
		console.log(USAGE);
		return command ? 2 : 0;
	}
	if (command === 'revoke' && !kid) {
		console.error('revoke needs the kid of the key (see `npm run keys -- list`)');
		return 1;
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
		if (command === 'revoke') {
			const revoked = await keys.revoke(kid);
			if (!revoked) {
				console.error(`no key ${kid} (see \`npm run keys -- list\`)`);
				return 1;
			}
			console.log(`revoked ${kid} (${revoked.alg})${revoked.wasActive ? `; ${revoked.activeKid} signs from now on` : ''}`);
		}
		const rows = await handle.db.select().from(signingKeys).orderBy(signingKeys.createdAt);
		for (const k of rows) {
			console.log(
				`${k.id}\t${k.alg}\t${k.status}\tcreated ${k.createdAt.toISOString()}` +
					`${k.retiredAt ? `\t${k.status === 'revoked' ? 'revoked' : 'retired'} ${k.retiredAt.toISOString()}` : ''}`
			);
		}
		if (rows.length === 0) console.log('no keys yet: they are created on the first JWKS request or token');
		return 0;
	} finally {
		await handle.close();
	}
}
