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

const store = globalThis as typeof globalThis & { __ssoProvider?: Promise<Provider> };

export function provider(): Promise<Provider> {
	store.__ssoProvider ??= (async () => {
		const { db } = await database();
		const { issuer, secret } = config();
		const keys = new KeyStore(db, secret);
		return { issuer, db, keys, tokens: { db, keys, issuer } };
	})();
	return store.__ssoProvider;
}
