import { describe, expect, it } from 'vitest';
import { parseResourceServer, parseResourceServersSetting } from './resource-servers';

describe('RESOURCE_SERVERS and resource server declarations (RFC 8707 §2)', () => {
	it('parses a JSON array of {id, name, scopes}', () => {
		expect(parseResourceServersSetting('[{"id":"https://api.example.com","name":" Example API ","scopes":["read","read","write"]}]')).toEqual([
			{ id: 'https://api.example.com', name: 'Example API', scopes: ['read', 'write'] }
		]);
		expect(parseResourceServersSetting(undefined)).toEqual([]);
		expect(parseResourceServersSetting('  ')).toEqual([]);
	});

	it.each([
		['not JSON', '[{', /not valid JSON/],
		['an object, not an array', '{"id":"https://api.example.com"}', /JSON array/],
		['a relative identifier', '[{"id":"/api","name":"A"}]', /absolute/],
		['an identifier with a fragment', '[{"id":"https://api.example.com/#x","name":"A"}]', /fragment/],
		['a missing name', '[{"id":"https://api.example.com"}]', /name/],
		['a scope with a space', '[{"id":"https://api.example.com","name":"A","scopes":["a b"]}]', /scope tokens/],
		['an OIDC scope', '[{"id":"https://api.example.com","name":"A","scopes":["openid"]}]', /OpenID Connect scope/]
	])('refuses %s with a message naming RESOURCE_SERVERS', (_, json, message) => {
		expect(() => parseResourceServersSetting(json)).toThrow(message);
		expect(() => parseResourceServersSetting(json)).toThrow(/RESOURCE_SERVERS/);
	});

	it('urn: identifiers are fine', () => {
		expect(parseResourceServer({ id: 'urn:example:billing', name: 'Billing' }).id).toBe('urn:example:billing');
	});
});
