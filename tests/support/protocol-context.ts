import type { Database } from '../../src/lib/server/db/index';
import type { KeyStore } from '../../src/lib/server/oidc/keys';
import { DEFAULT_TOKEN_POLICY, type TokenContext, type TokenPolicy } from '../../src/lib/server/oidc/token-policy';
import { TEST_ISSUER } from './oidc';

/**
 * The context protocol functions take (oidc/context.ts), for a test's database and keys:
 * TEST_ISSUER, the given clock (a testClock's `now`, so time is fixed) and the default token
 * policy with any overrides (e.g. a refresh reuse grace window).
 */
export function testProtocolContext(db: Database, keys: KeyStore, clock: () => Date, tokenPolicy: Partial<TokenPolicy> = {}): TokenContext {
	return { issuer: TEST_ISSUER, db, keys, clock, tokenPolicy: { ...DEFAULT_TOKEN_POLICY, ...tokenPolicy } };
}
