import { config } from './config';
import { database } from './db/instance';
import { KeyStore } from './oidc/keys';
import type { TokenSettings } from './oidc/tokens';

/** The provider's long-lived parts, built once per process from config and the database. */
export interface Provider {
	issuer: string;
	db: TokenSettings['db'];
	keys: KeyStore;
	tokens: TokenSettings;
}

// Module-level (not globalThis, unlike the database): hot reload should rebuild it.
let instance: Promise<Provider> | undefined;

export function provider(): Promise<Provider> {
	instance ??= (async () => {
		const { db } = await database();
		const { issuer, secret, keys: timing } = config();
		const keys = new KeyStore(db, secret, { refreshSeconds: timing.cacheSeconds, policy: { publishBeforeUseSeconds: timing.publishBeforeUseSeconds } });
		return { issuer, db, keys, tokens: { db, keys, issuer } };
	})();
	return instance;
}
