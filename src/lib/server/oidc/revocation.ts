import { revokedAccessTokens } from '../db/schema';
import type { Client } from './clients';
import type { ProtocolContext } from './context';
import { InvalidRequest, UnauthorizedClient } from './errors';
import { revokeGrant } from './grant-records';
import { findActiveToken, findRefreshToken } from './token-lookup';

/**
 * RFC 7009 token revocation. Revoking a refresh token revokes its grant, and with it every
 * access token issued under it (§2.1); revoking an access token revokes that token only.
 * Unknown or already invalid tokens are answered like successes (§2.2).
 */
export async function revokeToken(ctx: ProtocolContext, caller: Client, params: Map<string, string>): Promise<void> {
	const { db } = ctx;
	const now = ctx.clock();
	const token = params.get('token');
	if (!token) throw new InvalidRequest('token is required');
	// A refresh token is revoked even when it was just rotated: within the reuse grace it
	// would otherwise still refresh.
	const refresh = token.split('.').length === 3 ? undefined : await findRefreshToken(db, token);
	if (refresh) {
		if (refresh.grant.clientId !== caller.id) throw new UnauthorizedClient('the token was not issued to this client');
		return revokeGrant(db, refresh.grant.id, now);
	}
	const found = await findActiveToken(ctx, token, params.get('token_type_hint'));
	if (!found) return;
	const owner = found.type === 'access_token' ? found.token.clientId : found.row.grant.clientId;
	// §2.1: the token must have been issued to the client asking.
	if (owner !== caller.id) throw new UnauthorizedClient('the token was not issued to this client');
	if (found.type === 'refresh_token') return revokeGrant(db, found.row.grant.id, now);
	const { jti, exp } = found.token.payload;
	await db
		.insert(revokedAccessTokens)
		.values({ jti: String(jti), expiresAt: new Date(Number(exp) * 1000) })
		.onConflictDoNothing();
}
