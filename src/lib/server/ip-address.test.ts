import { describe, expect, it } from 'vitest';
import { classifyAddress } from './ip-address';

describe('classifyAddress: where a server-side request must never go', () => {
	it.each([
		['10.0.0.5', 'private'],
		['172.16.0.1', 'private'],
		['172.31.255.255', 'private'],
		['192.168.1.1', 'private'],
		['100.64.0.1', 'shared'],
		['100.127.255.254', 'shared'],
		['127.0.0.1', 'loopback'],
		['127.255.0.9', 'loopback'],
		['169.254.169.254', 'link-local'],
		['0.0.0.0', 'unspecified'],
		['0.1.2.3', 'reserved'],
		['224.0.0.1', 'multicast'],
		['239.255.255.250', 'multicast'],
		['255.255.255.255', 'broadcast'],
		['240.0.0.1', 'reserved'],
		['192.0.0.8', 'reserved'],
		['192.0.2.10', 'reserved'],
		['198.18.0.1', 'reserved'],
		['198.51.100.7', 'reserved'],
		['203.0.113.9', 'reserved'],
		['192.88.99.1', 'reserved']
	])('IPv4 %s is %s', (address, expected) => {
		expect(classifyAddress(address)).toBe(expected);
	});

	it.each([
		['::1', 'loopback'],
		['[::1]', 'loopback'],
		['::', 'unspecified'],
		['fe80::1', 'link-local'],
		['fe80::1%eth0', 'link-local'],
		['febf:ffff::1', 'link-local'],
		['fc00::1', 'unique-local'],
		['fd12:3456:789a::1', 'unique-local'],
		['ff02::1', 'multicast'],
		['2001:db8::1', 'reserved'],
		['2001::1', 'reserved'],
		['2002:a00:1::1', 'reserved'],
		['100::1', 'reserved'],
		['64:ff9b:1::1', 'reserved'],
		['3fff::1', 'reserved'],
		['fec0::1', 'reserved']
	])('IPv6 %s is %s', (address, expected) => {
		expect(classifyAddress(address)).toBe(expected);
	});

	it.each([
		['::ffff:169.254.169.254', 'link-local'],
		['[::ffff:169.254.169.254]', 'link-local'],
		['::ffff:a9fe:a9fe', 'link-local'],
		['::ffff:127.0.0.1', 'loopback'],
		['::ffff:7f00:1', 'loopback'],
		['::ffff:10.0.0.5', 'private'],
		['::ffff:192.168.1.1', 'private'],
		['::ffff:0.0.0.0', 'unspecified'],
		['64:ff9b::10.0.0.5', 'private'],
		['64:ff9b::a9fe:a9fe', 'link-local']
	])('an IPv4 address inside IPv6 (%s) is classified by the IPv4 address: %s', (address, expected) => {
		expect(classifyAddress(address)).toBe(expected);
	});

	it.each(['::127.0.0.1', '::10.0.0.5', '::169.254.169.254', '::ffff:0:10.0.0.5'])(
		'deprecated IPv4-compatible and translated forms (%s) are refused as reserved',
		(address) => {
			expect(classifyAddress(address)).toBe('reserved');
		}
	);

	it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::6810:85e5', '::ffff:93.184.216.34', '64:ff9b::808:808'])(
		'an ordinary internet address (%s) is global',
		(address) => {
			expect(classifyAddress(address)).toBe('global');
		}
	);

	it.each(['example.com', 'localhost', '0x7f000001', '2130706433', '127.1', '017.0.0.1', '', '[example.com]'])(
		'%j is not an IP literal (a name, resolved before any check)',
		(text) => {
			expect(classifyAddress(text)).toBeNull();
		}
	);
});
