import { beforeAll, describe, expect, it } from 'vitest';
import { createTestClient, TEST_REDIRECT_URI, type TestClient } from '../../../../tests/support/fixtures';
import { useTestDatabase } from '../../../../tests/support/database';
import { TEST_ISSUER } from '../../../../tests/support/oidc';
import { requestingClient } from './requesting-client';

const database = useTestDatabase();
let operatorClient: TestClient;
let selfRegistered: TestClient;

const authorizePath = (params: Record<string, string>) => `/api/auth/authorize?${new URLSearchParams({ response_type: 'code', scope: 'openid', ...params })}`;

beforeAll(async () => {
	operatorClient = await createTestClient(database.db, { name: 'Payroll', logoURI: `${TEST_ISSUER}/logos/payroll.svg` });
	selfRegistered = await createTestClient(database.db, { name: 'Partner', trusted: false, selfRegistered: true, logoURI: 'https://partner.example/logo.png' });
});

describe('requestingClient: "to continue to <app> — <host>" on the sign-in page', () => {
	it('names the client of a valid authorization request, the host it returns to, and its logo on the provider origin', async () => {
		expect(await requestingClient(database.db, TEST_ISSUER, authorizePath({ client_id: operatorClient.id, redirect_uri: TEST_REDIRECT_URI }))).toEqual({
			name: 'Payroll',
			host: new URL(TEST_REDIRECT_URI).host,
			unverified: false,
			logoURI: `${TEST_ISSUER}/logos/payroll.svg`
		});
	});

	it('labels a self-registered client unverified and loads no logo from its host', async () => {
		expect(await requestingClient(database.db, TEST_ISSUER, authorizePath({ client_id: selfRegistered.id, redirect_uri: TEST_REDIRECT_URI }))).toMatchObject({
			name: 'Partner',
			unverified: true,
			logoURI: null
		});
	});

	it('names nobody for a redirect_uri the client did not register (a crafted link cannot borrow a trusted name)', async () => {
		expect(
			await requestingClient(database.db, TEST_ISSUER, authorizePath({ client_id: operatorClient.id, redirect_uri: 'https://evil.example/cb' }))
		).toBeNull();
	});

	it('names nobody for an unknown client, another page, or no return_to at all', async () => {
		expect(await requestingClient(database.db, TEST_ISSUER, authorizePath({ client_id: 'nobody', redirect_uri: TEST_REDIRECT_URI }))).toBeNull();
		expect(await requestingClient(database.db, TEST_ISSUER, `/account?client_id=${operatorClient.id}`)).toBeNull();
		expect(await requestingClient(database.db, TEST_ISSUER, null)).toBeNull();
	});
});
