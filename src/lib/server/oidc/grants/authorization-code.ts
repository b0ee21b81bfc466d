import type { Client } from '../clients';
import { consumeAuthorizationCode } from '../codes';
import { InvalidGrant, InvalidRequest } from '../errors';
import { revokeGrant } from '../grant-records';
import { verifierMatchesChallenge } from '../pkce';
import { Scopes } from '../scopes';
import type { TokenContext } from '../token-policy';
import { issueUserTokens, type TokenResponse } from '../token-response';

/**
 * RFC 6749 §4.1.3 with RFC 7636 §4.6 (PKCE) and OIDC Core §3.1.3: redeems `code`, checking
 * `redirect_uri` and `code_verifier` against the authorization request.
 */
export async function exchangeAuthorizationCode(ctx: TokenContext, client: Client, params: Map<string, string>): Promise<TokenResponse> {
	const now = ctx.clock();
	const code = params.get('code');
	if (!code) throw new InvalidRequest('code is required');
	const redirectURI = params.get('redirect_uri');
	const verifier = params.get('code_verifier');
	const redeemed = await consumeAuthorizationCode(ctx.db, code, now);
	const refuse = async (description: string) => {
		// A code used wrongly may be a stolen one: nothing issued from it should survive.
		await revokeGrant(ctx.db, redeemed.grantId, now);
		return new InvalidGrant(description);
	};
	if (redeemed.clientId !== client.id) throw await refuse('the authorization code was issued to another client');
	if (redirectURI !== redeemed.redirectURI) throw await refuse('redirect_uri does not match the authorization request');
	if (redeemed.codeChallenge) {
		if (!verifier) throw await refuse('code_verifier is required');
		if (!verifierMatchesChallenge(verifier, redeemed.codeChallenge)) throw await refuse('code_verifier does not match the code_challenge');
	} else if (verifier) {
		// RFC 9700 §4.8.2: a verifier without a challenge is a PKCE downgrade attempt.
		throw await refuse('code_verifier was sent but the authorization request had no code_challenge');
	}
	const grant = {
		id: redeemed.grantId,
		scope: redeemed.scope,
		authTime: redeemed.authTime,
		amr: redeemed.amr,
		acr: redeemed.acr,
		sessionId: redeemed.sessionId
	};
	return issueUserTokens(ctx, client, grant, redeemed.user, grant.scope, { nonce: redeemed.nonce, withRefreshToken: offersRefresh(client, grant.scope) });
}

/** Refresh tokens go to first-party clients and to clients granted `offline_access` (OIDC Core §11). */
function offersRefresh(client: Client, scope: string): boolean {
	if (!client.grantTypes.includes('refresh_token')) return false;
	return client.trusted || Scopes.parse(scope).has('offline_access');
}
