import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { explainRejection, REQUEST_RULES } from './request-rules';

const ISSUER = 'http://localhost:3000';
const REGISTERED = ['http://localhost:3001/auth/callback'];

/** The words a POSIX shell makes of a command line, without running the command itself. */
function shellWords(command: string, program: string): string[] {
	const script = `set -- ${command.slice(command.indexOf(program) + program.length).replace(/\\\n/g, ' ')}; printf '%s\\n' "$@"`;
	return execFileSync('sh', ['-c', script], { encoding: 'utf8' }).trimEnd().split('\n');
}

describe('explainRejection', () => {
	it('cites the rule of the check that failed, with links to the spec', () => {
		const explanation = explainRejection('invalid_request', 'pkce-required', { issuer: ISSUER, clientId: 'spa' });
		expect(explanation).toMatchObject({ code: 'invalid_request', rule: REQUEST_RULES['pkce-required'].rule });
		expect(explanation!.citations.map((c) => c.clause)).toContain('RFC 9700 §2.1.1');
		expect(explanation!.redirectURIs).toBeUndefined();
	});

	it('explains nothing for an error that names no rule', () => {
		expect(explainRejection('login_required', undefined, { issuer: ISSUER })).toBeUndefined();
	});

	it('for an unregistered redirect_uri, lists the registered URIs and an operator command that keeps them and adds the new one', () => {
		const explanation = explainRejection('invalid_request', 'redirect-uri-unregistered', {
			issuer: ISSUER,
			clientId: 'internal-dashboard',
			clientName: 'Internal Dashboard',
			requestedRedirectURI: 'http://localhost:3001/other',
			registeredRedirectURIs: REGISTERED,
			selfRegistered: false
		})!;
		expect(explanation.redirectURIs!.registered).toEqual(REGISTERED);
		const [command] = explanation.redirectURIs!.registerAnother;
		expect(shellWords(command, 'npm run clients --')).toEqual([
			'add',
			'--id',
			'internal-dashboard',
			'--name',
			'Internal Dashboard',
			'--redirect-uri',
			'http://localhost:3001/auth/callback',
			'--redirect-uri',
			'http://localhost:3001/other'
		]);
	});

	it("an attacker's redirect_uri or client name stays one harmless word in the command a developer pastes", () => {
		const hostile = "https://evil.example/cb?x='$(touch /tmp/pwned)'`id`";
		const hostileName = "App'; echo injected; echo '";
		for (const selfRegistered of [false, true]) {
			const [command] = explainRejection('invalid_request', 'redirect-uri-unregistered', {
				issuer: ISSUER,
				clientId: 'c1',
				clientName: hostileName,
				requestedRedirectURI: hostile,
				registeredRedirectURIs: REGISTERED,
				selfRegistered
			})!.redirectURIs!.registerAnother;
			if (selfRegistered) {
				const words = shellWords(command, 'curl');
				expect(words.slice(0, 3)).toEqual(['-X', 'PUT', `${ISSUER}/api/auth/register/c1`]);
				expect(JSON.parse(words[words.length - 1])).toEqual({ client_id: 'c1', client_name: hostileName, redirect_uris: [...REGISTERED, hostile] });
			} else {
				const words = shellWords(command, 'npm run clients --');
				expect(words).toContain(hostile);
				expect(words).toContain(hostileName);
			}
		}
	});
});
