import { isIP } from 'node:net';

/**
 * What an IP address is for, as far as a server-side request is concerned. Only `global`
 * addresses are ordinary internet hosts; every other class is a network the provider itself
 * may be able to reach but the party who registered a URI must not (request forgery).
 */
export type AddressClass =
	'global' | 'loopback' | 'private' | 'shared' | 'link-local' | 'unique-local' | 'multicast' | 'broadcast' | 'unspecified' | 'reserved';

interface Block {
	/** Network address as bytes (4 for IPv4, 16 for IPv6). */
	network: Uint8Array;
	prefix: number;
	class: Exclude<AddressClass, 'global'>;
}

function v4Block(cidr: string, kind: Block['class']): Block {
	const [address, prefix] = cidr.split('/');
	return { network: parseIPv4(address)!, prefix: Number(prefix), class: kind };
}

function v6Block(cidr: string, kind: Block['class']): Block {
	const [address, prefix] = cidr.split('/');
	return { network: parseIPv6(address)!, prefix: Number(prefix), class: kind };
}

// IANA IPv4 Special-Purpose Address Registry (RFC 6890 and updates), plus multicast
// (RFC 5771) and the reserved 240/4 (RFC 1112). Every block in it is refused, including the
// few marked globally reachable (192.0.0.9/10 anycast): no relying party lives there.
const IPV4_BLOCKS: Block[] = [
	v4Block('0.0.0.0/32', 'unspecified'),
	v4Block('0.0.0.0/8', 'reserved'), // "this network" (RFC 791); Linux connects 0.x to itself
	v4Block('10.0.0.0/8', 'private'), // RFC 1918
	v4Block('100.64.0.0/10', 'shared'), // RFC 6598 carrier-grade NAT
	v4Block('127.0.0.0/8', 'loopback'), // RFC 1122
	v4Block('169.254.0.0/16', 'link-local'), // RFC 3927: cloud metadata services live here
	v4Block('172.16.0.0/12', 'private'), // RFC 1918
	v4Block('192.0.0.0/24', 'reserved'), // RFC 6890 IETF protocol assignments
	v4Block('192.0.2.0/24', 'reserved'), // RFC 5737 TEST-NET-1
	v4Block('192.31.196.0/24', 'reserved'), // RFC 7535 AS112-v4
	v4Block('192.52.193.0/24', 'reserved'), // RFC 7450 AMT
	v4Block('192.88.99.0/24', 'reserved'), // RFC 7526 deprecated 6to4 relay anycast
	v4Block('192.168.0.0/16', 'private'), // RFC 1918
	v4Block('192.175.48.0/24', 'reserved'), // RFC 7534 direct delegation AS112
	v4Block('198.18.0.0/15', 'reserved'), // RFC 2544 benchmarking
	v4Block('198.51.100.0/24', 'reserved'), // RFC 5737 TEST-NET-2
	v4Block('203.0.113.0/24', 'reserved'), // RFC 5737 TEST-NET-3
	v4Block('224.0.0.0/4', 'multicast'), // RFC 5771
	v4Block('255.255.255.255/32', 'broadcast'), // RFC 919
	v4Block('240.0.0.0/4', 'reserved') // RFC 1112 "future use"
];

// IANA IPv6 Special-Purpose Address Registry. Forms that embed an IPv4 address (mapped,
// compatible, NAT64) are classified by that address in classifyAddress instead.
const IPV6_BLOCKS: Block[] = [
	v6Block('::/128', 'unspecified'), // RFC 4291
	v6Block('::1/128', 'loopback'), // RFC 4291
	v6Block('64:ff9b:1::/48', 'reserved'), // RFC 8215 local-use NAT64
	v6Block('100::/64', 'reserved'), // RFC 6666 discard-only
	v6Block('100:0:0:1::/64', 'reserved'), // RFC 9780 dummy prefix
	v6Block('2001::/23', 'reserved'), // RFC 2928 IETF protocol assignments (Teredo, ORCHID, benchmarking, ...)
	v6Block('2001:db8::/32', 'reserved'), // RFC 3849 documentation
	v6Block('2002::/16', 'reserved'), // RFC 3056 6to4: may embed any IPv4 address
	v6Block('3fff::/20', 'reserved'), // RFC 9637 documentation
	v6Block('5f00::/16', 'reserved'), // RFC 9602 SRv6 SIDs
	v6Block('fc00::/7', 'unique-local'), // RFC 4193
	v6Block('fe80::/10', 'link-local'), // RFC 4291
	v6Block('fec0::/10', 'reserved'), // RFC 3879 deprecated site-local
	v6Block('ff00::/8', 'multicast') // RFC 4291
];

// RFC 4291 §2.4: global unicast is 2000::/3; everything else in IPv6 is not an internet host.
const IPV6_GLOBAL_UNICAST = v6Block('2000::/3', 'reserved');

function inBlock(bytes: Uint8Array, block: Block): boolean {
	if (bytes.length !== block.network.length) return false;
	let bits = block.prefix;
	for (let i = 0; bits > 0; i++, bits -= 8) {
		const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
		if ((bytes[i] & mask) !== (block.network[i] & mask)) return false;
	}
	return true;
}

/** Dotted-quad IPv4 in its one canonical form (no octal, hex or short forms), as bytes. */
export function parseIPv4(text: string): Uint8Array | null {
	if (isIP(text) !== 4) return null;
	return Uint8Array.from(text.split('.').map(Number));
}

/** IPv6 text (with `::`, an embedded dotted IPv4 tail, or a `%zone`) as 16 bytes. */
export function parseIPv6(text: string): Uint8Array | null {
	const address = text.replace(/%.*$/, '');
	if (isIP(address) !== 6) return null;
	let groups: string[];
	let tail: number[] = [];
	const lastColon = address.lastIndexOf(':');
	const v4 = address.slice(lastColon + 1).includes('.') ? parseIPv4(address.slice(lastColon + 1)) : null;
	const head = v4 ? address.slice(0, lastColon + 1) + '0:0' : address;
	if (v4) tail = [...v4];
	const [left, right] = head.includes('::') ? head.split('::') : [head, undefined];
	const leftGroups = left ? left.split(':') : [];
	const rightGroups = right ? right.split(':') : [];
	if (right === undefined) groups = leftGroups;
	else groups = [...leftGroups, ...Array<string>(8 - leftGroups.length - rightGroups.length).fill('0'), ...rightGroups];
	if (groups.length !== 8) return null;
	const bytes = new Uint8Array(16);
	groups.forEach((group, i) => {
		const value = parseInt(group, 16);
		bytes[i * 2] = value >> 8;
		bytes[i * 2 + 1] = value & 0xff;
	});
	if (v4) bytes.set(tail, 12);
	return bytes;
}

function classifyIPv4(bytes: Uint8Array): AddressClass {
	return IPV4_BLOCKS.find((block) => inBlock(bytes, block))?.class ?? 'global';
}

const startsWith = (bytes: Uint8Array, prefix: number[]) => prefix.every((b, i) => bytes[i] === b);

/** RFC 4291 §2.5.5.2 IPv4-mapped `::ffff:a.b.c.d` (16 bytes from parseIPv6): really a.b.c.d. */
export function isIPv4Mapped(bytes: Uint8Array): boolean {
	return startsWith(bytes, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]);
}

function classifyIPv6(bytes: Uint8Array): AddressClass {
	const embedded = bytes.slice(12);
	// RFC 4291 §2.5.5.2 IPv4-mapped ::ffff:a.b.c.d: a connection to it IS a connection to a.b.c.d.
	if (isIPv4Mapped(bytes)) return classifyIPv4(embedded);
	// RFC 6052 §2.1 NAT64 well-known prefix 64:ff9b::/96: the translator connects to a.b.c.d.
	if (startsWith(bytes, [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0])) return classifyIPv4(embedded);
	const special = IPV6_BLOCKS.find((block) => inBlock(bytes, block));
	if (special) return special.class;
	// RFC 4291 §2.5.5.1 deprecated IPv4-compatible ::a.b.c.d, and the rest of ::/8.
	if (!inBlock(bytes, IPV6_GLOBAL_UNICAST)) return 'reserved';
	return 'global';
}

/**
 * The class of an IP address literal (IPv4 dotted quad, or IPv6 with or without brackets);
 * null when `text` is not an IP address (a host name).
 */
export function classifyAddress(text: string): AddressClass | null {
	const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
	const v4 = parseIPv4(bare);
	if (v4) return classifyIPv4(v4);
	const v6 = parseIPv6(bare);
	if (v6) return classifyIPv6(v6);
	return null;
}
