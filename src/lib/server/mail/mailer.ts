import nodemailer from 'nodemailer';
import type { MailMessage } from './message';

/** Sends the provider's mails. */
export interface Mailer {
	send(message: MailMessage): Promise<void>;
}

/**
 * A mailer over SMTP (`smtp://user:pass@host:587`, `smtps://…:465`; nodemailer's URL form).
 * Plain `smtp://` upgrades with STARTTLS whenever the server offers it.
 */
export function smtpMailer(smtpURL: string, from: string): Mailer {
	const transport = nodemailer.createTransport(smtpURL);
	return {
		async send(message) {
			await transport.sendMail({ from, to: message.to, subject: message.subject, text: message.text, html: message.html });
		}
	};
}

/**
 * Sends without making the request wait, so that how long a request takes never tells whether
 * a mail was sent (sign-up and password reset must not reveal who has an account). A failure
 * is logged for the operator; the person can ask for the link again.
 */
export function sendInBackground(mailer: Mailer, message: MailMessage, purpose: string): void {
	mailer.send(message).catch((error: unknown) => {
		console.error(`[sso] could not send the ${purpose} mail: ${error instanceof Error ? error.message : String(error)}`);
	});
}
