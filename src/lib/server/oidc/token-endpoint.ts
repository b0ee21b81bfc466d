import { authenticateClient, type Client } from './clients';
import { InvalidRequest, UnauthorizedClient, UnsupportedGrantType } from './errors';
import { exchangeAuthorizationCode } from './grants/authorization-code';
import { issueClientCredentialsToken } from './grants/client-credentials';
import { exchangeRefreshToken } from './grants/refresh-token';
import { isGrantType, type GrantType } from './grant-types';
import type { TokenContext } from './token-policy';
import type { TokenResponse } from './token-response';

/** One grant: validates its own parameters and redeems them for tokens. */
type GrantHandler = (ctx: TokenContext, client: Client, params: Map<string, string>) => Promise<TokenResponse>;

const GRANTS: Record<GrantType, GrantHandler> = {
	authorization_code: exchangeAuthorizationCode,
	refresh_token: exchangeRefreshToken,
	client_credentials: issueClientCredentialsToken
};

/**
 * The token endpoint (RFC 6749 §3.2), as a pipeline in spec order: parse grant_type,
 * authenticate the client, check the client may use the grant, then let the grant redeem.
 */
export async function handleTokenRequest(ctx: TokenContext, authorization: string | null, params: Map<string, string>): Promise<TokenResponse> {
	const grantType = params.get('grant_type');
	if (!grantType) throw new InvalidRequest('grant_type is required');
	const client = await authenticateClient(ctx.db, authorization, params);
	if (!isGrantType(grantType)) throw new UnsupportedGrantType(grantType);
	// RFC 7591 §2: a client uses only the grant types it registered.
	if (!client.grantTypes.includes(grantType)) throw new UnauthorizedClient(`this client is not registered for grant_type "${grantType}"`);
	return GRANTS[grantType](ctx, client, params);
}
