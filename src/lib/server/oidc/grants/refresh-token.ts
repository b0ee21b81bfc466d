import type { Client } from '../clients';
import { InvalidGrant, InvalidRequest } from '../errors';
import { revokeGrant } from '../grant-records';
import { claimRotation, refreshTokenSuccessor, rotationTime, withinReuseGrace } from '../refresh-rotation';
import { Scopes } from '../scopes';
import { findRefreshToken } from '../token-lookup';
import type { TokenContext } from '../token-policy';
import { issueUserTokens, type TokenResponse } from '../token-response';

/**
 * RFC 6749 §6 with rotation (RFC 9700 §4.14.2): each refresh token has exactly one successor
 * and works once. Presenting one that was already rotated means two parties hold it, so the
 * whole grant is revoked. The rotation is decided atomically (claimRotation), so of many
 * parallel redemptions one wins and the rest count as reuse. An operator may allow a short
 * grace window (tokenPolicy.refreshReuseGraceSeconds, default 0) in which the rotated token is
 * answered with the SAME successor again: a retry after a lost response, never a second branch.
 */
export async function exchangeRefreshToken(ctx: TokenContext, client: Client, params: Map<string, string>): Promise<TokenResponse> {
	const now = ctx.clock();
	const { db } = ctx;
	const token = params.get('refresh_token');
	if (!token) throw new InvalidRequest('refresh_token is required');
	const row = await findRefreshToken(db, token);
	if (!row || row.grant.clientId !== client.id) throw new InvalidGrant('the refresh token is invalid');
	if (row.grant.revokedAt) throw new InvalidGrant('the refresh token has been revoked');
	if (row.expiresAt <= now) throw new InvalidGrant('the refresh token has expired');
	// Checked before rotating: a mistyped scope must not use the token up.
	// RFC 6749 §6: the scope of a refresh may only narrow what the user granted.
	const requested = params.get('scope');
	const scope = Scopes.parse(row.grant.scope)
		.narrow(requested === undefined ? undefined : Scopes.parse(requested))
		.toString();
	if (!(await claimRotation(db, row.tokenHash, now))) {
		const rotatedAt = row.rotatedAt ?? (await rotationTime(db, row.tokenHash));
		if (!withinReuseGrace(rotatedAt, now, ctx.tokenPolicy.refreshReuseGraceSeconds)) {
			await revokeGrant(db, row.grant.id, now);
			throw new InvalidGrant('the refresh token was already used; the authorization has been revoked');
		}
	}
	const successor = await refreshTokenSuccessor(await ctx.keys.refreshSuccessorKey, token);
	return issueUserTokens(ctx, client, row.grant, row.user, scope, { nonce: null, withRefreshToken: true, refreshToken: successor });
}
