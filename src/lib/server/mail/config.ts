// The mail settings, read from the environment by config.ts (the only reader of $env).

export interface MailConfig {
	/** SMTP_URL: nodemailer's URL form (`smtps://user:pass@mail.example.com`); unset: no SMTP. */
	smtpURL: string | undefined;
	/** MAIL_FROM: default `SSO Provider <no-reply@PROVIDER HOST>`. */
	from: string;
	/**
	 * DEV_MAILBOX=true: without SMTP_URL, keep mail in an in-process mailbox shown at
	 * /dev/mailbox even outside `vite dev`. Anyone who can reach the provider can then read
	 * every sign-up link: never on an exposed server.
	 */
	devMailbox: boolean;
}

export function loadMail(vars: Record<string, string | undefined>, providerHostname: string): MailConfig {
	const devMailbox = (vars.DEV_MAILBOX ?? '').trim().toLowerCase();
	if (devMailbox !== '' && devMailbox !== 'true' && devMailbox !== 'false') throw new Error(`DEV_MAILBOX must be true or false, not "${vars.DEV_MAILBOX}"`);
	return {
		smtpURL: vars.SMTP_URL || undefined,
		from: vars.MAIL_FROM || `SSO Provider <no-reply@${providerHostname}>`,
		devMailbox: devMailbox === 'true'
	};
}
