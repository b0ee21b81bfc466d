import { isIPv4, isIPv6 } from 'node:net';
import type { Database } from '../db';
import { reserveAttempt, type AttemptDecision, type WindowLimit } from './rate-limit';

/**
 * Reserves one `action` (e.g. a sign-up or a client registration) for the client's address,
 * before the work is done; refused once the address has used up its window.
 */
export function reserveForAddress(db: Database, action: string, clientAddress: string, rule: WindowLimit, now = new Date()): Promise<AttemptDecision> {
	return reserveAttempt(db, `${action}:address:${addressForLimits(clientAddress)}`, rule, now);
}

/**
 * The part of a client's IP address that rate limits count by. IPv4 as it is (IPv4-mapped
 * IPv6 is IPv4); IPv6 by its /64 prefix, because one subscriber usually holds a whole /64
 * (RFC 6177) and could otherwise step to a fresh address for every attempt. Anything else
 * (an unparsable forwarded header) is counted as one shared value, so it cannot evade a limit.
 */
export function addressForLimits(address: string): string {
	const plain = address.trim().replace(/^\[|\]$/g, '').replace(/%.*$/, '');
	const mapped = plain.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i)?.[1];
	if (mapped && isIPv4(mapped)) return mapped;
	if (isIPv4(plain)) return plain;
	if (isIPv6(plain)) return `${expandIPv6(plain).slice(0, 4).join(':')}::/64`;
	return 'unknown';
}

/** The eight 16-bit groups of an IPv6 address, lower-case, without zero compression. */
function expandIPv6(address: string): string[] {
	const [head, tail] = address.toLowerCase().split('::');
	const groups = (part: string | undefined) => (part ? part.split(':') : []);
	// An embedded IPv4 tail (::1.2.3.4) is two groups; only the /64 prefix is kept anyway.
	const toGroups = (part: string | undefined) => groups(part).flatMap((g) => (g.includes('.') ? ['0', '0'] : [g]));
	const left = toGroups(head);
	const right = tail === undefined ? [] : toGroups(tail);
	const fill = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
	return [...left, ...fill, ...right].map((g) => g.replace(/^0+(?=.)/, ''));
}
