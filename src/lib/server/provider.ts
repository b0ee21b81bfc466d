import { config } from './config';
import { database } from './db/instance';
import { deriveTOTPEncryptionKey } from './auth/totp';
import { KeyStore } from './oidc/keys';
import { outboundPolicy, type OutboundPolicy } from './outbound-request';
import { systemClock } from './oidc/context';
import { DEFAULT_TOKEN_POLICY, type TokenContext } from './oidc/token-policy';

/** The provider's long-lived parts, built once per process from config and the database. */
export interface Provider extends TokenContext {
	/** Where requests to registered URIs (back-channel logout) may go. */
	outbound: OutboundPolicy;
	/** Wraps the users' TOTP keys at rest (auth/totp.ts): derived from the server secret, like the signing keys' wrap. */
	totpEncryptionKey: Uint8Array;
}

// Module-level (not globalThis, unlike the database): hot reload should rebuild it.
let instance: Promise<Provider> | undefined;

export function provider(): Promise<Provider> {
	instance ??= (async () => {
		const { db } = await database();
		const { issuer, secret, refreshTokenReuseGraceSeconds, outboundAllowedHosts, keys: timing } = config();
		const keys = new KeyStore(db, secret, { refreshSeconds: timing.cacheSeconds, policy: { publishBeforeUseSeconds: timing.publishBeforeUseSeconds } });
		return {
			issuer,
			db,
			keys,
			clock: systemClock,
			tokenPolicy: { ...DEFAULT_TOKEN_POLICY, refreshReuseGraceSeconds: refreshTokenReuseGraceSeconds },
			outbound: outboundPolicy(issuer, outboundAllowedHosts),
			totpEncryptionKey: await deriveTOTPEncryptionKey(secret)
		};
	})();
	return instance;
}
