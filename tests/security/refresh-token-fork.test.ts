// Issue #6, finding 7: a refresh token redeemed in parallel forked the grant (8 redemptions,
// 8 distinct working refresh tokens), and within the grace window a rotated token kept minting
// new ones. RFC 9700 §4.14.2: each refresh token has exactly one successor; presenting a
// rotated one again revokes the grant. An operator may configure a short grace window
// (REFRESH_TOKEN_REUSE_GRACE_SECONDS), in which the SAME successor is returned again.
import { describe, expect, it } from 'vitest';
import { DASHBOARD_CREDENTIALS, dashboardTokensAt, get, postForm, servers } from '../support/http';
import { useProductionServer } from '../support/provider-fixture';

interface Tokens {
	access_token: string;
	refresh_token?: string;
}

/** The demo dashboard's tokens for the demo user, from a real sign-in and authorization on `provider`. */
async function dashboardTokens(provider: string, site1: string): Promise<Tokens> {
	const tokens = await dashboardTokensAt(provider, site1);
	expect(tokens.refresh_token).toBeTypeOf('string');
	return tokens as Tokens;
}

async function redeem(provider: string, refreshToken: string): Promise<{ status: number; body: Record<string, unknown> }> {
	const response = await postForm(`${provider}/api/auth/token`, { grant_type: 'refresh_token', refresh_token: refreshToken, ...DASHBOARD_CREDENTIALS });
	return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function userinfoStatus(provider: string, accessToken: string): Promise<number> {
	return (await get(`${provider}/api/auth/userinfo`, { authorization: `Bearer ${accessToken}` })).status;
}

describe('refresh token rotation, default policy (no grace window)', () => {
	it('8 parallel redemptions of one refresh token: exactly one wins, the others count as reuse and revoke the grant', async () => {
		const { provider, site1 } = servers();
		const stolen = await dashboardTokens(provider, site1);
		const results = await Promise.all(Array.from({ length: 8 }, () => redeem(provider, stolen.refresh_token!)));
		const winners = results.filter((r) => r.status === 200);
		expect(winners).toHaveLength(1);
		for (const loser of results.filter((r) => r.status !== 200)) {
			expect(loser.status).toBe(400);
			expect(loser.body.error).toBe('invalid_grant');
		}
		// The grant did not fork: nothing issued from it, the winner's successor included, still works.
		const successor = winners[0].body.refresh_token as string;
		expect((await redeem(provider, successor)).body.error).toBe('invalid_grant');
		expect(await userinfoStatus(provider, winners[0].body.access_token as string)).toBe(401);
		expect(await userinfoStatus(provider, stolen.access_token)).toBe(401);
	});

	it('a rotated refresh token presented again a moment later → invalid_grant, and the legitimate successor dies with the grant', async () => {
		const { provider, site1 } = servers();
		const first = await dashboardTokens(provider, site1);
		const rotated = await redeem(provider, first.refresh_token!);
		expect(rotated.status).toBe(200);
		const replay = await redeem(provider, first.refresh_token!);
		expect(replay.status).toBe(400);
		expect(replay.body.error).toBe('invalid_grant');
		expect((await redeem(provider, rotated.body.refresh_token as string)).body.error).toBe('invalid_grant');
		expect(await userinfoStatus(provider, rotated.body.access_token as string)).toBe(401);
	});
});

describe('refresh token rotation with REFRESH_TOKEN_REUSE_GRACE_SECONDS=30', () => {
	const server = useProductionServer({ port: 4370, env: { REFRESH_TOKEN_REUSE_GRACE_SECONDS: '30' } }, 180_000);

	it('8 parallel redemptions all get the SAME successor, never a new branch; that successor rotates on as usual', async () => {
		const { provider, site1 } = server.urls;
		const first = await dashboardTokens(provider, site1);
		const results = await Promise.all(Array.from({ length: 8 }, () => redeem(provider, first.refresh_token!)));
		expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
		const successors = new Set(results.map((r) => r.body.refresh_token));
		expect(successors.size).toBe(1);
		const [successor] = successors as Set<string>;
		expect(successor).not.toBe(first.refresh_token);
		// Presented again inside the window: still that one successor.
		expect((await redeem(provider, first.refresh_token!)).body.refresh_token).toBe(successor);
		const next = await redeem(provider, successor);
		expect(next.status).toBe(200);
		expect(next.body.refresh_token).not.toBe(successor);
		expect(await userinfoStatus(provider, next.body.access_token as string)).toBe(200);
	});
});
