// Attacker: someone who got hold of one logout token a demo site accepted (a proxy log, a
// debugging dump). Goal: replay it to the site's back-channel endpoint, once or many times at
// once. Back-Channel Logout 1.0 §2.6: the RP keeps a `jti` replay cache. Issue #6 finding 14.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD, DEMO, get, postForm, postJSON, servers } from '../support/http';
import { startProductionServer, type ProductionServer } from '../support/production-server';
import { providerSessionCookie, securityTestPort, startRecordingServer, type RecordingServer } from '../support/recording-server';

let server: ProductionServer;
// Site 1's public URL is this recorder, so the provider's back-channel POST for site 1 lands
// here (the attacker's copy of the token); site 1 itself listens on its own port behind it.
let recorder: RecordingServer;
let site1: string;
let logoutToken: string;

beforeAll(async () => {
	recorder = await startRecordingServer();
	const port = securityTestPort(1);
	server = await startProductionServer({ port, urls: { site1: recorder.url }, serve: 'provider,site1', database: servers().driver });
	site1 = `http://localhost:${port + 1}`;

	const signIn = await postJSON(`${server.urls.provider}/api/auth/sign-in/email`, { email: DEMO.email, password: DEMO.password });
	const cookie = providerSessionCookie(signIn);
	const query = new URLSearchParams({
		client_id: DASHBOARD.id,
		redirect_uri: `${recorder.url}/auth/callback`,
		response_type: 'code',
		scope: 'openid',
		state: 's'
	});
	const answer = await get(`${server.urls.provider}/api/auth/authorize?${query}`, { cookie });
	expect(new URL(answer.headers.get('location')!).searchParams.get('code')).toBeTruthy();
	await postForm(`${server.urls.provider}/auth/logout`, {}, { cookie, origin: server.urls.provider, accept: 'text/html' });
	const delivered = recorder.requests.find((r) => r.url === '/auth/backchannel-logout');
	expect(delivered).toBeDefined();
	logoutToken = new URLSearchParams(delivered!.body).get('logout_token')!;
}, 120_000);

afterAll(async () => {
	await server?.stop();
	await recorder?.close();
});

const deliver = () => postForm(`${site1}/auth/backchannel-logout`, { logout_token: logoutToken });

describe('a demo site refuses a replayed logout token', () => {
	it('of 8 parallel deliveries of one logout token, exactly one is accepted (200); the others get 400 invalid_request', async () => {
		const responses = await Promise.all(Array.from({ length: 8 }, deliver));
		const statuses = responses.map((r) => r.status).sort();
		expect(statuses).toEqual([200, 400, 400, 400, 400, 400, 400, 400]);
		for (const response of responses.filter((r) => r.status === 400)) {
			expect(response.headers.get('cache-control')).toBe('no-store');
			expect(await response.json()).toMatchObject({ error: 'invalid_request', error_description: expect.stringMatching(/already used/) });
		}
	});

	it('delivered again later, it is still refused', async () => {
		const response = await deliver();
		expect(response.status).toBe(400);
		expect(await response.json()).toMatchObject({ error: 'invalid_request' });
	});
});
