import { and, eq, ne } from 'drizzle-orm';
import type { Database } from '../db';
import { clients } from '../db/schema';

// Characters a name shown to users must not contain: controls (Cc), format characters (Cf:
// bidi overrides and isolates, zero-width joiners and spaces, soft hyphen, tags), private-use
// and unassigned code points, line/paragraph separators, and letters that render as nothing
// (Hangul fillers, braille blank). Each can hide or reorder what the user reads
// (Unicode TR #36 §2, UTS #39 §3).
// eslint-disable-next-line no-misleading-character-class -- the combining and variation selectors are listed to be refused, not to combine
const HIDDEN_OR_REORDERING = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}\u115F\u1160\u3164\uFFA0\u2800\u034F\u180B-\u180F\uFE00-\uFE0F]/u;
const HIDDEN_OR_REORDERING_ALL = new RegExp(HIDDEN_OR_REORDERING, 'gu');

/** At most 100 characters: the consent page's heading, not a description. */
export const MAX_CLIENT_NAME_LENGTH = 100;

// Latin look-alikes from other scripts most used to fake a name (a small part of UTS #39's
// confusables; the "unverified" label on the consent page covers what this misses).
const CONFUSABLES: Record<string, string> = {
	а: 'a',
	в: 'b',
	е: 'e',
	ё: 'e',
	к: 'k',
	м: 'm',
	н: 'h',
	о: 'o',
	р: 'p',
	с: 'c',
	т: 't',
	у: 'y',
	х: 'x',
	ѕ: 's',
	і: 'i',
	ї: 'i',
	ј: 'j',
	ԁ: 'd',
	ԛ: 'q',
	ԝ: 'w',
	ɡ: 'g',
	α: 'a',
	β: 'b',
	ε: 'e',
	η: 'n',
	ι: 'i',
	κ: 'k',
	ν: 'v',
	ο: 'o',
	ρ: 'p',
	τ: 't',
	υ: 'u',
	χ: 'x',
	ϲ: 'c',
	'0': 'o',
	'1': 'l',
	'|': 'l'
};

/**
 * A name as users will see it: Unicode NFKC (so full-width or stylised letters become plain
 * ones), whitespace runs as one space, trimmed. Returns null when it holds a hidden or
 * reordering character, which is refused rather than stripped: the registrant meant something
 * by it.
 */
export function normalizeClientName(raw: string): string | null {
	const normalized = raw.normalize('NFKC');
	if (HIDDEN_OR_REORDERING.test(normalized)) return null;
	return normalized.replace(/\s+/gu, ' ').trim();
}

/** For display of names stored before these rules: hidden characters removed. */
export function displayClientName(name: string): string {
	return name.normalize('NFKC').replace(HIDDEN_OR_REORDERING_ALL, '').replace(/\s+/gu, ' ').trim() || 'Unnamed application';
}

/**
 * The comparison key of a name: NFKC, case-folded, without marks, invisible characters,
 * spaces and punctuation, with common look-alike letters mapped to Latin. "Ｉｎｔｅｒｎａｌ
 * Dashbоard" (full-width, Cyrillic о) and "internal-dashboard" get the same key.
 */
export function nameKey(name: string): string {
	const folded = name.normalize('NFKC').toLowerCase().normalize('NFKD');
	let key = '';
	for (const char of folded.replace(HIDDEN_OR_REORDERING_ALL, '')) {
		const mapped = CONFUSABLES[char] ?? char;
		if (/[\p{L}\p{N}]/u.test(mapped) && !/\p{M}/u.test(mapped)) key += mapped;
	}
	return key;
}

/** Whether `candidate` reads as (or contains) the reserved name. */
export function impersonates(candidate: string, reserved: string): boolean {
	const reservedKey = nameKey(reserved);
	return reservedKey.length > 0 && nameKey(candidate).includes(reservedKey);
}

/**
 * The names a self-registered client may not take: those of the clients an operator set up
 * (trusted first-party sites among them), whose names users have learned to trust.
 */
export async function reservedClientNames(db: Database, exceptClientId?: string): Promise<string[]> {
	const rows = await db
		.select({ name: clients.name })
		.from(clients)
		.where(exceptClientId ? and(eq(clients.selfRegistered, false), ne(clients.id, exceptClientId)) : eq(clients.selfRegistered, false));
	return rows.map((r) => r.name);
}

/** How the provider's pages show a client: its name, whether it is unverified, and a logo it may load. */
export interface PresentedClient {
	name: string;
	/** Self-registered: nobody vouched for its name, logo or links (issue #6 finding 8). */
	unverified: boolean;
	/**
	 * The logo_uri (RFC 7591 §2) of a client the operator set up, when the page can load it:
	 * https, or http on a loopback host while the provider itself runs on plain http (local
	 * development; an https page would block it as mixed content). The page's CSP then allows
	 * that one origin (content-security-policy.ts).
	 */
	logoURI: string | null;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export function presentClient(client: { name: string; selfRegistered: boolean; logoURI: string | null }, issuer: string): PresentedClient {
	// A self-registered client's logo is never loaded: its host would learn who signs in when
	// (a tracking pixel), and a borrowed logo would lend it a trusted look (issue #6 finding 8).
	const logoURI = client.selfRegistered ? null : displayableLogoURI(client.logoURI, issuer);
	return { name: displayClientName(client.name), unverified: client.selfRegistered, logoURI };
}

/** The client's name as pages show it (displayClientName), or null when there is no such client. */
export async function findClientDisplayName(db: Database, clientId: string): Promise<string | null> {
	const [row] = await db.select({ name: clients.name }).from(clients).where(eq(clients.id, clientId)).limit(1);
	return row ? displayClientName(row.name) : null;
}

function displayableLogoURI(logoURI: string | null, issuer: string): string | null {
	if (!logoURI) return null;
	let url: URL;
	try {
		url = new URL(logoURI);
	} catch {
		return null;
	}
	if (url.username || url.password) return null;
	if (url.protocol === 'https:') return url.href;
	const plainProvider = new URL(issuer).protocol === 'http:';
	return url.protocol === 'http:' && plainProvider && LOOPBACK_HOSTS.has(url.hostname) ? url.href : null;
}
