import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMail, startMailSink, type MailSink } from '../../../../tests/support/mail-sink';
import { smtpMailer } from './mailer';
import { composeMail } from './message';

describe('mail over SMTP', () => {
	let sink: MailSink;
	let dir: string;
	beforeAll(async () => {
		dir = mkdtempSync(join(tmpdir(), 'sso-mail-'));
		sink = await startMailSink(dir);
	});
	afterAll(async () => {
		await sink.stop();
		rmSync(dir, { recursive: true, force: true });
	});

	it('arrives with a text part and an HTML part that carry the same link, from MAIL_FROM', async () => {
		const message = composeMail('SSO Provider', {
			to: 'Someone@Example.com',
			subject: 'Confirm <your> address',
			heading: 'Confirm your address',
			paragraphs: ['Click the link to confirm "you".'],
			action: { label: 'Confirm address', url: 'http://localhost:3000/auth/verify?token=a.b&x=1' },
			footer: 'you signed up at localhost:3000.'
		});
		await smtpMailer(sink.url, 'SSO Provider <no-reply@localhost>').send(message);
		const mail = await readMail(dir, 'someone@example.com', { subject: /Confirm/ });
		expect(mail.from).toMatch(/^"?SSO Provider"? <no-reply@localhost>$/);
		expect(mail.subject).toBe('Confirm <your> address');
		expect(mail.links).toEqual(['http://localhost:3000/auth/verify?token=a.b&x=1']);
		// The HTML part escapes what it shows and links to the same URL.
		expect(mail.html).toContain('href="http://localhost:3000/auth/verify?token=a.b&amp;x=1"');
		expect(mail.html).toContain('Click the link to confirm &quot;you&quot;.');
		expect(mail.html).toContain('<html lang="en">');
		expect(mail.text).toContain('SSO Provider: you signed up at localhost:3000.');
	});
});
