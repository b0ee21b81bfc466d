import { describe, expect, it } from 'vitest';
import { describeSecurityEvent } from './security-event-description';
import { SECURITY_EVENT_TYPES } from './security-log';

const context = { upstreamName: (id: string) => ({ github: 'GitHub', google: 'Google' })[id] };
const say = (type: string, detail: Record<string, string> = {}) => describeSecurityEvent(type, detail, context).summary;

describe('describeSecurityEvent', () => {
	it('sign-ins say how', () => {
		expect(say('sign-in', { method: 'password', amr: 'pwd' })).toBe('Signed in with a password');
		expect(say('sign-in', { method: 'password', amr: 'pwd otp mfa' })).toBe('Signed in with a password and a one-time code');
		expect(say('sign-in', { method: 'passkey', amr: 'hwk mfa' })).toBe('Signed in with a passkey');
		expect(say('sign-in', { method: 'github', amr: 'fed' })).toBe('Signed in with your GitHub account');
		expect(say('sign-in', { method: 'removed-upstream', amr: 'fed' })).toBe('Signed in with your removed-upstream account');
	});

	it('failures say why, and are marked failed', () => {
		expect(describeSecurityEvent('sign-in-failed', { reason: 'password' })).toEqual({ summary: 'Failed sign-in: wrong password', failed: true });
		expect(say('sign-in-failed', { reason: 'rate-limited' })).toMatch(/^Sign-in refused: too many failed attempts/);
		expect(say('sign-in-failed', { reason: 'code' })).toBe('Failed sign-in: wrong two-step verification code');
		expect(say('sign-in-failed', { reason: 'passkey' })).toBe('Failed sign-in: the passkey was not accepted');
		expect(say('sign-in-failed', {})).toBe('Failed sign-in');
		expect(describeSecurityEvent('sign-in', { method: 'password' }).failed).toBe(false);
	});

	it('a step-up says which factor confirmed it was the owner', () => {
		expect(describeSecurityEvent('step-up', { amr: 'pwd otp mfa' })).toEqual({
			summary: 'Confirmed it was you with a one-time code, as an application asked',
			failed: false
		});
	});

	it('app grants name the app and what it may see', () => {
		expect(say('app-granted', { clientName: 'Internal Dashboard', scope: 'openid profile email' })).toBe(
			'Granted Internal Dashboard access to your email and profile'
		);
		expect(say('app-granted', { clientName: 'Reports', scope: 'openid email offline_access' })).toBe(
			'Granted Reports access to your email, also while you are away'
		);
		expect(say('app-granted', { clientName: 'API tool', scope: 'openid api:read' })).toBe('Granted API tool access to your “api:read”');
		expect(say('app-granted', { clientName: 'Wiki', scope: 'openid' })).toBe('Allowed Wiki to sign you in');
		expect(say('app-revoked', { clientId: 'wiki', clientName: 'Wiki' })).toBe('Revoked the access of Wiki');
	});

	it('account changes', () => {
		expect(say('password-changed')).toBe('Changed your password');
		expect(say('password-set')).toBe('Set a password for your account');
		expect(say('password-reset')).toBe('Reset your password with a link sent by email');
		expect(say('email-changed', { from: 'a@example.com', to: 'b@example.com' })).toBe('Changed your email address from a@example.com to b@example.com');
		expect(say('other-sessions-revoked', { count: '3' })).toBe('Signed out all other sessions (3)');
		expect(say('upstream-linked', { provider: 'google' })).toBe('Linked your Google account: you can sign in with it');
		expect(say('passkey-added', { name: 'YubiKey' })).toBe('Added a passkey: YubiKey');
	});

	it('every known type has its own words; an unknown one still reads', () => {
		for (const type of SECURITY_EVENT_TYPES) expect(say(type)).not.toMatch(/^Account event/);
		expect(say('something-new')).toBe('Account event: something-new');
	});
});
