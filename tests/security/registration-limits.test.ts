// Issue #6 finding 6 (sizes): open registration stored about 60 KB per client. The metadata is
// capped tightly: the whole body (413), each URI, the number of URIs, each string
// (400 invalid_client_metadata). Attacker's view: fill the database at wire speed.
import { describe, expect, it } from 'vitest';
import { expectOAuthError, postJSON, servers } from '../support/http';

const { provider } = servers();
const REGISTER = `${provider}/api/auth/register`;
const uri = (length: number) => `https://app.example.org/${'a'.repeat(length - 'https://app.example.org/'.length)}`;

describe('registration metadata size caps', () => {
	it("a 60 KB registration (the audit's) → 413 invalid_client_metadata", async () => {
		const response = await postJSON(REGISTER, {
			redirect_uris: ['https://app.example.org/cb'],
			client_name: 'Bulky',
			software_statement_padding: 'x'.repeat(60_000)
		});
		await expectOAuthError(response, 413, 'invalid_client_metadata');
	});

	it('a body just over 8 KiB → 413; without a Content-Length (chunked) too', async () => {
		const body = JSON.stringify({ redirect_uris: ['https://app.example.org/cb'], extra: 'x'.repeat(8 * 1024) });
		await expectOAuthError(await fetch(REGISTER, { method: 'POST', headers: { 'content-type': 'application/json' }, body }), 413, 'invalid_client_metadata');
		const stream = new ReadableStream({
			start(controller) {
				controller.enqueue(new TextEncoder().encode(body));
				controller.close();
			}
		});
		const chunked = await fetch(REGISTER, { method: 'POST', headers: { 'content-type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit);
		await expectOAuthError(chunked, 413, 'invalid_client_metadata');
	});

	it('one redirect URI longer than 512 characters → 400 invalid_client_metadata; 512 is fine', async () => {
		await expectOAuthError(await postJSON(REGISTER, { redirect_uris: [uri(513)] }), 400, 'invalid_client_metadata');
		expect((await postJSON(REGISTER, { redirect_uris: [uri(512)] })).status).toBe(201);
	});

	it('more than 10 redirect URIs, or more than 10 post-logout URIs → 400 invalid_client_metadata', async () => {
		const eleven = Array.from({ length: 11 }, (_, i) => `https://app.example.org/cb${i}`);
		await expectOAuthError(await postJSON(REGISTER, { redirect_uris: eleven }), 400, 'invalid_client_metadata');
		await expectOAuthError(
			await postJSON(REGISTER, { redirect_uris: ['https://app.example.org/cb'], post_logout_redirect_uris: eleven }),
			400,
			'invalid_client_metadata'
		);
		expect((await postJSON(REGISTER, { redirect_uris: eleven.slice(0, 10) })).status).toBe(201);
	});

	it.each(['logo_uri', 'client_uri', 'policy_uri', 'tos_uri', 'backchannel_logout_uri'])(
		'a %s longer than 512 characters → 400 invalid_client_metadata',
		async (field) => {
			await expectOAuthError(await postJSON(REGISTER, { redirect_uris: ['https://app.example.org/cb'], [field]: uri(600) }), 400, 'invalid_client_metadata');
		}
	);

	it('a client_name over 100 characters, or a scope over 1000 → 400 invalid_client_metadata', async () => {
		await expectOAuthError(
			await postJSON(REGISTER, { redirect_uris: ['https://app.example.org/cb'], client_name: 'n'.repeat(101) }),
			400,
			'invalid_client_metadata'
		);
		await expectOAuthError(
			await postJSON(REGISTER, { redirect_uris: ['https://app.example.org/cb'], scope: 's'.repeat(1001) }),
			400,
			'invalid_client_metadata'
		);
	});
});
