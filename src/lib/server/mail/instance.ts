import { config } from '../config';
import { smtpMailer, type Mailer } from './mailer';

const shared = globalThis as typeof globalThis & { __ssoMailer?: Promise<Mailer | null> };

/**
 * The provider's mailer: SMTP when SMTP_URL is set; null when mail is off (the features that
 * need it say so instead of pretending to have sent a link).
 */
export function mailer(): Promise<Mailer | null> {
	shared.__ssoMailer ??= (async () => {
		const { smtpURL, from } = config().mail;
		return smtpURL ? smtpMailer(smtpURL, from) : null;
	})();
	return shared.__ssoMailer;
}
