import { describe, expect, it } from 'vitest';
import { displayClientName, impersonates, nameKey, normalizeClientName, presentClient } from './client-names';

describe('normalizeClientName (UTS #39 / Unicode TR #36: what users read is what was registered)', () => {
	it('NFKC, whitespace runs folded, trimmed', () => {
		expect(normalizeClientName('  Ｐａｒｔｎｅｒ\u00A0  App ')).toBe('Partner App');
	});

	it.each([
		['RLO', '\u202E'],
		['LRI', '\u2066'],
		['ZWSP', '\u200B'],
		['ZWJ', '\u200D'],
		['BOM', '\uFEFF'],
		['soft hyphen', '\u00AD'],
		['NUL-free control', '\u001B'],
		['line separator', '\u2028'],
		['Hangul filler', '\u3164'],
		['variation selector', '\uFE0F'],
		['private use', '\uE000']
	])('refuses a name with a %s', (_, char) => {
		expect(normalizeClientName(`Partner${char}App`)).toBeNull();
	});

	it('keeps names in other scripts and with accents', () => {
		expect(normalizeClientName('Café Ünïcode 日本語アプリ')).toBe('Café Ünïcode 日本語アプリ');
	});
});

describe('nameKey / impersonates: reserved names compared after NFKC, case folding, invisible characters and look-alikes', () => {
	it('variants of a name share its key', () => {
		const key = nameKey('Internal Dashboard');
		for (const variant of [
			'internal-dashboard',
			'INTERNAL  DASHBOARD',
			'Ｉｎｔｅｒｎａｌ Ｄａｓｈｂｏａｒｄ',
			'Internal Dashbоard',
			'Întérnal Dashboard',
			'Internal\u200BDashboard'
		]) {
			expect(nameKey(variant), variant).toBe(key);
		}
	});

	it('a longer name containing the reserved one impersonates it; an unrelated one does not', () => {
		expect(impersonates('Internal Dashboard — SSO', 'Internal Dashboard')).toBe(true);
		expect(impersonates('Partner Reports', 'Internal Dashboard')).toBe(false);
	});
});

describe("presentClient: how the provider's pages show a client", () => {
	const issuer = 'https://sso.example.com';
	it('a self-registered client is unverified and its logo is never shown', () => {
		expect(presentClient({ name: 'Partner', selfRegistered: true, logoURI: 'https://tracker.example/p.png' }, issuer)).toEqual({
			name: 'Partner',
			unverified: true,
			logoURI: null
		});
		expect(presentClient({ name: 'Partner', selfRegistered: true, logoURI: `${issuer}/logo.png` }, issuer).logoURI).toBeNull();
	});

	it("an operator's client shows its https logo, on the provider's origin or its own", () => {
		expect(presentClient({ name: 'Wiki', selfRegistered: false, logoURI: `${issuer}/logos/wiki.png` }, issuer).logoURI).toBe(`${issuer}/logos/wiki.png`);
		expect(presentClient({ name: 'Wiki', selfRegistered: false, logoURI: 'https://wiki.example.com/logo.svg' }, issuer).logoURI).toBe(
			'https://wiki.example.com/logo.svg'
		);
	});

	it('a logo the page could not or should not load is left out: http (mixed content), credentials, other schemes, garbage', () => {
		for (const logoURI of [
			'http://wiki.example.com/logo.svg',
			'http://localhost:3002/logo.svg',
			'https://user:pw@wiki.example.com/l.png',
			'data:image/svg+xml,<svg/>',
			'javascript:alert(1)',
			'not a url',
			''
		]) {
			expect(presentClient({ name: 'Wiki', selfRegistered: false, logoURI }, issuer).logoURI, logoURI).toBeNull();
		}
	});

	it("a provider on http://localhost (development) shows the demo sites' loopback http logos", () => {
		const local = 'http://localhost:3000';
		expect(presentClient({ name: 'Wiki', selfRegistered: false, logoURI: 'http://localhost:3002/logo.svg' }, local).logoURI).toBe(
			'http://localhost:3002/logo.svg'
		);
		expect(presentClient({ name: 'Wiki', selfRegistered: false, logoURI: 'http://127.0.0.1:3002/logo.svg' }, local).logoURI).toBe(
			'http://127.0.0.1:3002/logo.svg'
		);
		expect(presentClient({ name: 'Wiki', selfRegistered: false, logoURI: 'http://wiki.internal/logo.svg' }, local).logoURI).toBeNull();
	});

	it('names stored before these rules are shown without their hidden characters', () => {
		expect(displayClientName('Evil\u202Eelgoog')).toBe('Evilelgoog');
		expect(displayClientName('\u200B')).toBe('Unnamed application');
	});
});
