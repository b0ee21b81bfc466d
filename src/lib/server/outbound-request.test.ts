import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRegisteredURI, mapWithConcurrency, OutboundRequestRefused, outboundPolicy, postFormToRegisteredURI, type Resolver } from './outbound-request';

// Every request these tests really send goes to a listener on 127.0.0.1; other addresses
// only ever reach the checks, which refuse them before any connection is made.
const DEVELOPMENT = outboundPolicy('http://localhost:3000');
const PRODUCTION = outboundPolicy('https://sso.example.com');

const resolverFor =
	(answers: Record<string, string[]>): Resolver =>
	async (hostname) => {
		const addresses = answers[hostname];
		if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
		return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
	};

let server: Server;
let port: number;
const received: { url: string; host: string | undefined; body: string }[] = [];

beforeAll(async () => {
	server = createServer((req: IncomingMessage, res) => {
		let body = '';
		req.on('data', (chunk) => (body += chunk));
		req.on('end', () => {
			received.push({ url: req.url!, host: req.headers.host, body });
			if (req.url === '/redirect') res.writeHead(302, { location: `http://127.0.0.1:${port}/landed` }).end();
			else if (req.url === '/large') res.writeHead(200).end(Buffer.alloc(1024 * 1024));
			else if (req.url === '/hang') return;
			else res.writeHead(200).end('{}');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
	server.closeAllConnections();
	await new Promise<void>((resolve) => server.close(() => resolve()));
});

const form = new URLSearchParams({ logout_token: 'x' });

describe('outboundPolicy: loopback only when the provider itself runs on loopback', () => {
	it.each(['http://localhost:3000', 'http://127.0.0.1:4100', 'http://[::1]:3000'])('%s allows loopback', (issuer) => {
		expect(outboundPolicy(issuer).allowLoopback).toBe(true);
	});
	it.each(['https://sso.example.com', 'https://10.0.0.1', 'http://sso.internal'])('%s does not', (issuer) => {
		expect(outboundPolicy(issuer).allowLoopback).toBe(false);
	});
});

describe('checkRegisteredURI (registration time)', () => {
	it.each([
		'https://169.254.169.254/latest/meta-data/',
		'https://10.0.0.5:8443/logout',
		'https://192.168.1.1/',
		'https://[::ffff:169.254.169.254]/',
		'https://0.0.0.0/',
		'https://[::]/',
		'https://[fd00::1]/',
		'https://100.64.0.1/',
		'https://127.0.0.1/',
		'https://[::1]/'
	])('refuses %s on a public provider', async (uri) => {
		await expect(checkRegisteredURI(uri, PRODUCTION, resolverFor({}))).rejects.toBeInstanceOf(OutboundRequestRefused);
	});

	it('refuses a name that resolves to a refused address, even when another of its addresses is public', async () => {
		const resolve = resolverFor({ 'rp.example': ['93.184.216.34', '10.1.2.3'] });
		await expect(checkRegisteredURI('https://rp.example/bc', PRODUCTION, resolve)).rejects.toThrow(/10\.1\.2\.3 is a private address/);
	});

	it('refuses localhost by name on a public provider', async () => {
		await expect(checkRegisteredURI('https://localhost/bc', PRODUCTION, resolverFor({ localhost: ['127.0.0.1', '::1'] }))).rejects.toThrow(/loopback/);
	});

	it('accepts a public name, and a name that does not resolve yet (checked again at send time)', async () => {
		await expect(checkRegisteredURI('https://rp.example/bc', PRODUCTION, resolverFor({ 'rp.example': ['93.184.216.34'] }))).resolves.toBeUndefined();
		await expect(checkRegisteredURI('https://not-yet.example/bc', PRODUCTION, resolverFor({}))).resolves.toBeUndefined();
	});

	it('accepts loopback on a development provider, and an allow-listed internal host anywhere', async () => {
		await expect(checkRegisteredURI('http://127.0.0.1:9/bc', DEVELOPMENT, resolverFor({}))).resolves.toBeUndefined();
		const internal = outboundPolicy('https://sso.example.com', ['logout.corp.internal']);
		await expect(
			checkRegisteredURI('https://logout.corp.internal/bc', internal, resolverFor({ 'logout.corp.internal': ['10.0.0.9'] }))
		).resolves.toBeUndefined();
	});
});

describe('postFormToRegisteredURI (send time)', () => {
	it('connects to the checked address while Host keeps the registered name (the address is pinned, not looked up again)', async () => {
		const resolve = resolverFor({ 'rp.test': ['127.0.0.1'] });
		const response = await postFormToRegisteredURI(`http://rp.test:${port}/bc?x=1`, form, DEVELOPMENT, { resolve });
		expect(response.status).toBe(200);
		const request = received.find((r) => r.url === '/bc?x=1')!;
		expect(request.host).toBe(`rp.test:${port}`);
		expect(request.body).toBe('logout_token=x');
	});

	it('refuses a loopback target when the provider is not on loopback, without connecting', async () => {
		const before = received.length;
		await expect(postFormToRegisteredURI(`http://127.0.0.1:${port}/bc`, form, PRODUCTION)).rejects.toBeInstanceOf(OutboundRequestRefused);
		const resolve = resolverFor({ 'rebound.example': ['127.0.0.1'] });
		await expect(postFormToRegisteredURI(`http://rebound.example:${port}/bc`, form, PRODUCTION, { resolve })).rejects.toThrow(/loopback/);
		expect(received.length).toBe(before);
	});

	it('sends to an allow-listed host whatever it resolves to', async () => {
		const policy = outboundPolicy('https://sso.example.com', [`127.0.0.1:${port}`]);
		await expect(postFormToRegisteredURI(`http://127.0.0.1:${port}/allowed`, form, policy)).resolves.toEqual({ status: 200 });
		expect(received.some((r) => r.url === '/allowed')).toBe(true);
	});

	it('follows no redirect: a 302 is reported as such and its target never requested', async () => {
		const response = await postFormToRegisteredURI(`http://127.0.0.1:${port}/redirect`, form, DEVELOPMENT);
		expect(response.status).toBe(302);
		expect(received.some((r) => r.url === '/landed')).toBe(false);
	});

	it('stops reading a response larger than the limit', async () => {
		const limits = { connectTimeoutMs: 2000, totalTimeoutMs: 5000, maxResponseBytes: 1024 };
		await expect(postFormToRegisteredURI(`http://127.0.0.1:${port}/large`, form, DEVELOPMENT, { limits })).resolves.toEqual({ status: 200 });
	});

	it('gives up on a server that never answers', async () => {
		const limits = { connectTimeoutMs: 2000, totalTimeoutMs: 200, maxResponseBytes: 1024 };
		await expect(postFormToRegisteredURI(`http://127.0.0.1:${port}/hang`, form, DEVELOPMENT, { limits })).rejects.toThrow(/no answer/);
	});

	it('sends only http and https', async () => {
		await expect(postFormToRegisteredURI('file:///etc/passwd', form, DEVELOPMENT)).rejects.toBeInstanceOf(OutboundRequestRefused);
	});
});

describe('mapWithConcurrency (bounded fan-out)', () => {
	it('never runs more than the limit at once and keeps the order of results', async () => {
		let running = 0;
		let most = 0;
		const results = await mapWithConcurrency([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 3, async (n) => {
			running++;
			most = Math.max(most, running);
			await new Promise((resolve) => setTimeout(resolve, 5));
			running--;
			return n * 2;
		});
		expect(most).toBe(3);
		expect(results).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
	});
});
