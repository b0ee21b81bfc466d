import { describe, expect, it } from 'vitest';
import { isForgedBrowserRequest } from './csrf';

const ORIGIN = 'http://localhost:3000';

function request(method: string, headers: Record<string, string> = {}): Request {
	return new Request(`${ORIGIN}/auth/login`, { method, headers });
}

describe("isForgedBrowserRequest (our replacement for Kit's origin check)", () => {
	it('a cross-site form POST (Origin of another site) is refused', () => {
		expect(isForgedBrowserRequest(request('POST', { origin: 'https://evil.example' }), ORIGIN)).toBe(true);
	});

	it('another port on the same host is another origin: refused', () => {
		expect(isForgedBrowserRequest(request('POST', { origin: 'http://localhost:3001' }), ORIGIN)).toBe(true);
	});

	it('Sec-Fetch-Site: cross-site or same-site POST is refused, even without Origin', () => {
		expect(isForgedBrowserRequest(request('POST', { 'sec-fetch-site': 'cross-site' }), ORIGIN)).toBe(true);
		expect(isForgedBrowserRequest(request('POST', { 'sec-fetch-site': 'same-site' }), ORIGIN)).toBe(true);
	});

	it('a null Origin (sandboxed or privacy-redirected form) on a POST is refused', () => {
		expect(isForgedBrowserRequest(request('POST', { origin: 'null' }), ORIGIN)).toBe(true);
	});

	it('a same-origin POST is allowed', () => {
		expect(isForgedBrowserRequest(request('POST', { origin: ORIGIN, 'sec-fetch-site': 'same-origin' }), ORIGIN)).toBe(false);
		expect(isForgedBrowserRequest(request('POST', { origin: ORIGIN }), ORIGIN)).toBe(false);
	});

	it('Sec-Fetch-Site: none (typed into the address bar, bookmarks) is allowed', () => {
		expect(isForgedBrowserRequest(request('POST', { 'sec-fetch-site': 'none' }), ORIGIN)).toBe(false);
	});

	it('a POST without Origin or Sec-Fetch-Site (curl, servers) is allowed: it carries no ambient cookies', () => {
		expect(isForgedBrowserRequest(request('POST'), ORIGIN)).toBe(false);
	});

	it('GET, HEAD and OPTIONS are never refused, even cross-site', () => {
		for (const method of ['GET', 'HEAD', 'OPTIONS']) {
			expect(isForgedBrowserRequest(request(method, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }), ORIGIN), method).toBe(false);
		}
	});

	it('other state-changing methods are checked like POST', () => {
		for (const method of ['PUT', 'PATCH', 'DELETE']) {
			expect(isForgedBrowserRequest(request(method, { origin: 'https://evil.example' }), ORIGIN), method).toBe(true);
		}
	});
});
