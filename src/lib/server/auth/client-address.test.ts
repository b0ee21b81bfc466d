import { describe, expect, it } from 'vitest';
import { addressForLimits } from './client-address';

describe('addressForLimits', () => {
	it.each([
		['203.0.113.7', '203.0.113.7'],
		['::ffff:127.0.0.1', '127.0.0.1'],
		['::1', '0:0:0:0::/64'],
		['2001:db8:1:2::1', '2001:db8:1:2::/64'],
		['2001:0db8:0001:0002:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::/64'],
		['[2001:db8::5]', '2001:db8:0:0::/64'],
		['fe80::1%eth0', 'fe80:0:0:0::/64'],
		['not an address', 'unknown'],
		['', 'unknown']
	])('%j → %j', (address, expected) => {
		expect(addressForLimits(address)).toBe(expected);
	});
});
