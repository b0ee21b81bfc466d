import { generateSecret } from '../../secrets';
import { CLIENT_TOKEN_JTI_PREFIX, signAccessToken } from '../access-tokens';
import type { Client } from '../clients';
import { UnauthorizedClient } from '../errors';
import { resolveResourceGrant } from '../resource-access';
import type { TokenContext } from '../token-policy';
import type { TokenResponse } from '../token-response';

/**
 * RFC 6749 §4.4: a confidential client acting for itself. The token names the client as
 * `sub` and is for one API (RFC 8707 `resource`): its `aud` is that resource server, its
 * scopes only those an operator allowed the client (resource-access.ts).
 */
export async function issueClientCredentialsToken(ctx: TokenContext, client: Client, params: Map<string, string>): Promise<TokenResponse> {
	if (client.tokenEndpointAuthMethod === 'none') throw new UnauthorizedClient('public clients cannot use client_credentials');
	const { audience, scope } = await resolveResourceGrant(ctx.db, client, params);
	const { token, expiresIn } = await signAccessToken(ctx, {
		subject: client.id,
		clientId: client.id,
		scope,
		audience,
		jti: `${CLIENT_TOKEN_JTI_PREFIX}${generateSecret()}`
	});
	return { access_token: token, token_type: 'Bearer', expires_in: expiresIn, scope };
}
