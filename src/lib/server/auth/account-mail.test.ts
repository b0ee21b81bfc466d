import { describe, expect, it } from 'vitest';
import {
	emailChangedMail,
	emailChangeLinkMail,
	emailChangeRequestedMail,
	emailInUseMail,
	maskEmail,
	passwordChangedMail,
	passwordChangedSignedInMail,
	passwordResetMail
} from './account-mail';

const ISSUER = 'https://sso.example.com';
const LINK = `${ISSUER}/auth/reset-password?token=abcdefghijklmnop.qrstuvwxyzabcdef`;

describe('account mails', () => {
	const mails = {
		reset: passwordResetMail(ISSUER, 'ada@example.com', LINK, 30),
		changed: passwordChangedMail(ISSUER, 'ada@example.com'),
		link: emailChangeLinkMail(ISSUER, 'new@example.net', 'ada@example.com', LINK, 60),
		inUse: emailInUseMail(ISSUER, 'taken@example.net'),
		requested: emailChangeRequestedMail(ISSUER, 'ada@example.com', 'new@example.net', 60),
		done: emailChangedMail(ISSUER, 'ada@example.com', 'new@example.net'),
		changedSignedIn: passwordChangedSignedInMail(ISSUER, 'ada@example.com', 'changed'),
		setSignedIn: passwordChangedSignedInMail(ISSUER, 'ada@example.com', 'set')
	};

	it.each(Object.entries(mails))('%s: a text and an HTML part, naming the provider, its host and why the mail came', (_, mail) => {
		expect(mail.subject).toContain('SSO Provider');
		for (const part of [mail.text, mail.html]) {
			expect(part).toContain('SSO Provider: you received this because');
			expect(part).toContain('sso.example.com');
		}
		expect(mail.html).toMatch(/^<!doctype html>\n<html lang="en">/);
	});

	it('only the mails to the mailbox being proven carry a link with a token', () => {
		const withToken = Object.entries(mails)
			.filter(([, m]) => m.text.includes('token='))
			.map(([name]) => name);
		expect(withToken).toEqual(['reset', 'link']);
	});

	it('mails to the old address show the new one masked', () => {
		for (const mail of [mails.requested, mails.done]) {
			expect(mail.text).toContain('n***@example.net');
			expect(mail.text).not.toContain('new@example.net');
		}
		expect(mails.link.text).toContain('a***@example.com');
	});

	it('maskEmail keeps the first character and the domain', () => {
		expect(maskEmail('nora@example.com')).toBe('n***@example.com');
		expect(maskEmail('x@y.z')).toBe('x***@y.z');
		expect(maskEmail('not-an-address')).toBe('***');
	});

	it('after a change on the account page, the owner is offered a reset (in case it was not them), without any token', () => {
		for (const mail of [mails.changedSignedIn, mails.setSignedIn]) {
			expect(mail.text).toContain(`${ISSUER}/auth/forgot-password?email=ada%40example.com`);
			expect(mail.text).not.toContain('token=');
		}
		expect(mails.changedSignedIn.subject).toBe('Your SSO Provider password was changed');
		expect(mails.setSignedIn.subject).toBe('Your SSO Provider password was set');
	});
});
