import type { Database } from '../db';
import { isIPv4Mapped, parseIPv4, parseIPv6 } from '../ip-address';
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
	const plain = address.trim().replace(/^\[|\]$/g, '');
	const v4 = parseIPv4(plain);
	if (v4) return v4.join('.');
	const v6 = parseIPv6(plain);
	if (!v6) return 'unknown';
	if (isIPv4Mapped(v6)) return v6.subarray(12).join('.');
	const prefix = [0, 2, 4, 6].map((i) => ((v6[i] << 8) | v6[i + 1]).toString(16));
	return `${prefix.join(':')}::/64`;
}
