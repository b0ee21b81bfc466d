import type { Database } from '../db';
import type { KeyStore } from './keys';

/**
 * What every protocol function needs from the provider, passed as its first argument instead
 * of five or six positional parameters: who we are (`iss`), where state lives, which keys
 * sign, and what time it is (tests pass a fixed clock).
 */
export interface ProtocolContext {
	/** The issuer identifier (OIDC Core §2 `iss`; RFC 8414 §2). */
	issuer: string;
	db: Database;
	keys: KeyStore;
	clock: () => Date;
}

/** The system clock. */
export const systemClock = (): Date => new Date();
