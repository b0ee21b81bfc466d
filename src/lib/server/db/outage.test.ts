import { describe, expect, it } from 'vitest';
import { createOutageReporter, DatabaseUnavailable, isDatabaseUnavailable } from './outage';

/** An error as postgres.js or Node report it: a message and a `code`. */
const withCode = (code: string, message = code) => Object.assign(new Error(message), { code });
/** drizzle-orm's DrizzleQueryError wraps the driver's error in `cause`. */
const drizzleWrapped = (cause: unknown) => new Error('Failed query: select 1\nparams: ', { cause });

describe('isDatabaseUnavailable', () => {
	it.each([
		'ECONNREFUSED',
		'ECONNRESET',
		'CONNECTION_CLOSED',
		'CONNECTION_ENDED',
		'CONNECTION_DESTROYED',
		'CONNECT_TIMEOUT',
		'57P01',
		'57P02',
		'57P03',
		'08006',
		'08001'
	])('recognises %s, also wrapped by drizzle', (code) => {
		expect(isDatabaseUnavailable(withCode(code))).toBe(true);
		expect(isDatabaseUnavailable(drizzleWrapped(withCode(code)))).toBe(true);
	});

	it('recognises an AggregateError of refused connections (one per address tried)', () => {
		expect(isDatabaseUnavailable(drizzleWrapped(new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')], 'connect failed')))).toBe(true);
	});

	it('recognises its own DatabaseUnavailable', () => {
		expect(isDatabaseUnavailable(new DatabaseUnavailable())).toBe(true);
	});

	it.each([
		['a unique violation', drizzleWrapped(withCode('23505'))],
		['a syntax error', drizzleWrapped(withCode('42601'))],
		['a plain bug', new TypeError('x is undefined')],
		['a string', 'ECONNREFUSED'],
		['null', null]
	])('does not treat %s as an outage', (_, error) => {
		expect(isDatabaseUnavailable(error)).toBe(false);
	});

	it('stops at a cause cycle', () => {
		const a: Error = new Error('a');
		const b = new Error('b', { cause: a });
		Object.assign(a, { cause: b });
		expect(isDatabaseUnavailable(a)).toBe(false);
	});
});

describe('createOutageReporter', () => {
	it('logs one line per quiet period, counting the failures it kept quiet about', () => {
		const lines: string[] = [];
		let now = 0;
		const report = createOutageReporter(
			(line) => lines.push(line),
			10,
			() => now
		);
		for (let i = 0; i < 50; i++) report(drizzleWrapped(withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')));
		expect(lines).toEqual(['[sso] database unavailable: connect ECONNREFUSED 127.0.0.1:5432; answering 503 with Retry-After']);
		now = 10_000;
		report(withCode('CONNECTION_CLOSED', 'write CONNECTION_CLOSED 127.0.0.1:5432'));
		expect(lines[1]).toBe(
			'[sso] database unavailable: write CONNECTION_CLOSED 127.0.0.1:5432; answering 503 with Retry-After (49 more failed requests since the last report)'
		);
	});
});
