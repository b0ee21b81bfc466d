// The mail the end-to-end server sent (tests/e2e/start-server.js writes each message to
// E2E_MAIL_DIR through a real SMTP listener).
import { mailTo, readMail, type ReceivedMail } from '../support/mail-sink';

const MAIL_DIR = process.env.E2E_MAIL_DIR!;

/** Waits for the next mail to `to` (matching `subject`) that is not one of `seen`. */
export function nextMail(to: string, options: { subject?: RegExp; seen?: ReceivedMail[] } = {}): Promise<ReceivedMail> {
	return readMail(MAIL_DIR, to, options);
}

/** Every mail to `to` so far. */
export function mailSentTo(to: string): Promise<ReceivedMail[]> {
	return mailTo(MAIL_DIR, to);
}
