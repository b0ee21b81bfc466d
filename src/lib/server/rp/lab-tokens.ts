import { encodeBase64urlNoPadding } from '@oslojs/encoding';
import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT } from 'jose';

/**
 * Broken copies of a real ID token for the common-issues lab (common-issues-lab.ts): never
 * accepted anywhere, they show what a relying party's verification makes of them.
 */

/** The claims the lab alters, first present wins: string values the site shows. */
const ALTERABLE_CLAIMS = ['email', 'name', 'sub'];

/**
 * The token with one character of one claim changed in its payload, header and signature
 * untouched (what a man in the middle, or a developer "fixing" a claim, would produce).
 */
export function alterOnePayloadCharacter(token: string): { token: string; claim: string; before: string; after: string } {
	const [header, , signature] = token.split('.');
	const payload: Record<string, unknown> = { ...decodeJwt(token) };
	const claim = ALTERABLE_CLAIMS.find((c) => typeof payload[c] === 'string' && (payload[c] as string).length > 0);
	if (!claim) throw new Error('the token has no claim the lab can alter');
	const before = payload[claim] as string;
	const last = before[before.length - 1];
	const after = `${before.slice(0, -1)}${last === 'x' ? 'y' : 'x'}`;
	payload[claim] = after;
	const encoded = encodeBase64urlNoPadding(new TextEncoder().encode(JSON.stringify(payload)));
	return { token: `${header}.${encoded}.${signature}`, claim, before, after };
}

/**
 * The same header (including its kid) and payload, signed with a fresh RS256 key the provider
 * never published: the kid leads the site to the provider's key, which does not verify it.
 */
export async function signWithForeignKey(token: string): Promise<{ token: string; thumbprint: string }> {
	const header = decodeProtectedHeader(token);
	const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
	const forged = await new SignJWT({ ...decodeJwt(token) }).setProtectedHeader({ ...header, alg: 'RS256' }).sign(privateKey);
	return { token: forged, thumbprint: await calculateJwkThumbprint(await exportJWK(publicKey)) };
}
