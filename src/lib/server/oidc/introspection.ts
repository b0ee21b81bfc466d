import type { Client } from './clients';
import type { ProtocolContext } from './context';
import { InvalidClient, InvalidRequest } from './errors';
import { findActiveToken } from './token-lookup';

/**
 * RFC 7662 token introspection. A token is described only to the client it was issued to
 * or to a trusted first-party client (e.g. our own APIs); to anyone else, and for anything
 * unknown, expired or revoked, the answer is `{ "active": false }` and nothing more (§2.2).
 */
export async function introspect(ctx: ProtocolContext, caller: Client, params: Map<string, string>) {
	// Only confidential clients (resource servers among them) may ask; a public client's
	// "authentication" is just a client_id anyone can send.
	if (caller.tokenEndpointAuthMethod === 'none') throw new InvalidClient('introspection requires client authentication');
	const token = params.get('token');
	if (!token) throw new InvalidRequest('token is required');
	const found = await findActiveToken(ctx, token, params.get('token_type_hint'));
	if (!found) return { active: false };
	if (found.type === 'access_token') {
		const { payload, scope, clientId } = found.token;
		if (clientId !== caller.id && !caller.trusted) return { active: false };
		return {
			active: true,
			token_type: 'Bearer',
			scope,
			client_id: clientId,
			sub: payload.sub,
			...(found.token.kind === 'user' ? { username: found.token.grant.user.email } : {}),
			iss: payload.iss,
			aud: payload.aud,
			iat: payload.iat,
			exp: payload.exp,
			jti: payload.jti
		};
	}
	const { row } = found;
	if (row.grant.clientId !== caller.id && !caller.trusted) return { active: false };
	return {
		active: true,
		token_type: 'refresh_token',
		scope: row.grant.scope,
		client_id: row.grant.clientId,
		sub: row.user.id,
		username: row.user.email,
		iss: ctx.issuer,
		iat: Math.floor(row.createdAt.getTime() / 1000),
		exp: Math.floor(row.expiresAt.getTime() / 1000)
	};
}
