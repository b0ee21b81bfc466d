// An in-memory Mailer for unit tests of the modules that send mail: they take the Mailer
// interface as a parameter. The SMTP path itself is tested in src/lib/server/mail/ and by the
// integration tests, which read a real SMTP listener.
import type { Mailer } from '../../src/lib/server/mail/mailer';
import type { MailMessage } from '../../src/lib/server/mail/message';

export function memoryMailer(): Mailer & { sent: MailMessage[]; to(address: string): MailMessage[] } {
	const sent: MailMessage[] = [];
	return {
		sent,
		async send(message) {
			sent.push(message);
		},
		to: (address) => sent.filter((m) => m.to === address)
	};
}

/** The http(s) links of a message's text part. */
export function linksOf(message: MailMessage): string[] {
	return [...message.text.matchAll(/https?:\/\/[^\s<>"]+/g)].map((m) => m[0]);
}
