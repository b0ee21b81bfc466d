import { dev } from '$app/environment';
import { config } from '../config';
import { startDevMailbox, type DevMailbox } from './dev-mailbox';
import { smtpMailer, type Mailer } from './mailer';

const shared = globalThis as typeof globalThis & { __ssoMailer?: Promise<Mailer | null> };

/** Where the provider's mail goes. */
export type MailMode = { kind: 'smtp'; host: string } | { kind: 'dev-mailbox'; explicit: boolean } | { kind: 'off' };

/** The features that cannot work without mail (said at start, so an operator knows). */
export const FEATURES_NEEDING_MAIL = ['sign-up by email', 'email verification', 'password reset', 'change of address', 'linking an upstream account by email'];

/**
 * SMTP when SMTP_URL is set; otherwise the development mailbox under `vite dev` (or with
 * DEV_MAILBOX=true), so every journey can be clicked through on a fresh machine; otherwise off.
 */
export function mailMode(): MailMode {
	const { smtpURL, devMailbox } = config().mail;
	if (smtpURL) return { kind: 'smtp', host: smtpHost(smtpURL) };
	if (dev || devMailbox) return { kind: 'dev-mailbox', explicit: !dev };
	return { kind: 'off' };
}

/**
 * The provider's mailer; null when mail is off (the features that need it say so instead of
 * pretending to have sent a link).
 */
export function mailer(): Promise<Mailer | null> {
	shared.__ssoMailer ??= (async () => {
		const mode = mailMode();
		const { smtpURL, from } = config().mail;
		if (mode.kind === 'smtp' && smtpURL) return smtpMailer(smtpURL, from);
		if (mode.kind === 'dev-mailbox') return smtpMailer((await startDevMailbox()).smtpURL, from);
		return null;
	})();
	return shared.__ssoMailer;
}

/** The development mailbox, when that is where mail goes; null otherwise (/dev/mailbox is then 404). */
export async function devMailbox(): Promise<DevMailbox | null> {
	return mailMode().kind === 'dev-mailbox' ? startDevMailbox() : null;
}

/** The start-up line that says where mail goes (and, when it goes nowhere, what does not work). */
export function describeMail(issuer: string): string {
	const mode = mailMode();
	if (mode.kind === 'smtp') return `[sso] mail: SMTP (${mode.host})`;
	if (mode.kind === 'dev-mailbox') {
		const line = `[sso] mail: development mailbox at ${issuer}/dev/mailbox`;
		if (!mode.explicit) return line;
		return (
			`${line}\n[sso] WARNING: DEV_MAILBOX=true: anyone who can reach ${issuer} can read every mail it sends (sign-up links included). ` +
			`Never on an exposed server; set SMTP_URL instead.`
		);
	}
	return `[sso] mail: OFF (SMTP_URL is not set). Unavailable until it is: ${FEATURES_NEEDING_MAIL.join(', ')}.`;
}

/** Host (and port) only: the URL may carry the SMTP password, which never goes into a log. */
function smtpHost(smtpURL: string): string {
	try {
		return new URL(smtpURL).host || 'configured host';
	} catch {
		return 'configured host';
	}
}
