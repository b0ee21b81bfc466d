import { describe, expect, it, vi } from 'vitest';
import { InvalidClient, InvalidGrant, InvalidToken } from './errors';
import { jsonNoStore, oauthErrorResponse, readFormParameters, runEndpoint, singleValued } from './http';

describe('singleValued (RFC 6749 §3.1: parameters must not be included more than once)', () => {
	it('returns each parameter once', () => {
		expect(Object.fromEntries(singleValued(new URLSearchParams('a=1&b=2')))).toEqual({ a: '1', b: '2' });
	});

	it('a repeated parameter → invalid_request naming it', () => {
		expect(() => singleValued(new URLSearchParams('code=a&code=b'))).toThrow(expect.objectContaining({ code: 'invalid_request', status: 400 }));
		expect(() => singleValued(new URLSearchParams('code=a&code=b'))).toThrow(/code/);
	});

	it('a repeated parameter counts even when one of the values is empty', () => {
		expect(() => singleValued(new URLSearchParams('state=&state=x'))).toThrow(expect.objectContaining({ code: 'invalid_request' }));
	});

	it('empty values count as absent', () => {
		expect(singleValued(new URLSearchParams('nonce=&state=s')).has('nonce')).toBe(false);
	});
});

describe('readFormParameters', () => {
	const request = (body: string, type?: string) =>
		new Request('http://op.example/token', { method: 'POST', body, headers: type ? { 'content-type': type } : {} });

	it('reads application/x-www-form-urlencoded (with a charset, any case)', async () => {
		expect((await readFormParameters(request('a=1', 'application/x-www-form-urlencoded;charset=UTF-8'))).get('a')).toBe('1');
		expect((await readFormParameters(request('a=1', 'Application/X-WWW-Form-Urlencoded'))).get('a')).toBe('1');
	});

	it.each([['application/json'], ['text/plain'], ['multipart/form-data; boundary=x'], [undefined]])('refuses %s with invalid_request', async (type) => {
		await expect(readFormParameters(request('a=1', type))).rejects.toMatchObject({ code: 'invalid_request', status: 400 });
	});
});

describe('oauthErrorResponse (RFC 6749 §5.2)', () => {
	it('is JSON { error, error_description } with Cache-Control: no-store', async () => {
		const response = oauthErrorResponse(new InvalidGrant('the code expired'));
		expect(response.status).toBe(400);
		expect(response.headers.get('content-type')).toBe('application/json');
		expect(response.headers.get('cache-control')).toBe('no-store');
		expect(response.headers.get('pragma')).toBe('no-cache');
		expect(await response.json()).toEqual({ error: 'invalid_grant', error_description: 'the code expired' });
	});

	it('invalid_client is 401 with WWW-Authenticate: Basic', () => {
		const response = oauthErrorResponse(new InvalidClient(), 'Basic');
		expect(response.status).toBe(401);
		expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
	});

	it('invalid_token is 401 with WWW-Authenticate: Bearer error="invalid_token" (RFC 6750 §3)', () => {
		const response = oauthErrorResponse(new InvalidToken(), 'Bearer');
		expect(response.status).toBe(401);
		expect(response.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token", error_description="[^"]*"$/);
	});

	it('no WWW-Authenticate on 400s', () => {
		expect(oauthErrorResponse(new InvalidGrant('x'), 'Basic').headers.has('www-authenticate')).toBe(false);
	});
});

describe('runEndpoint', () => {
	it('passes a successful response through', async () => {
		const response = await runEndpoint(async () => jsonNoStore({ ok: true }));
		expect(await response.json()).toEqual({ ok: true });
		expect(response.headers.get('cache-control')).toBe('no-store');
	});

	it('renders protocol errors in the one JSON form', async () => {
		const response = await runEndpoint(async () => {
			throw new InvalidGrant('nope');
		});
		expect(response.status).toBe(400);
		expect(await response.json()).toEqual({ error: 'invalid_grant', error_description: 'nope' });
	});

	it('answers anything else as server_error 500 without leaking the message', async () => {
		const log = vi.spyOn(console, 'error').mockImplementation(() => {});
		const response = await runEndpoint(async () => {
			throw new Error('connection string postgres://secret@db');
		});
		expect(response.status).toBe(500);
		const text = await response.text();
		expect(JSON.parse(text).error).toBe('server_error');
		expect(text).not.toContain('secret');
		log.mockRestore();
	});
});
