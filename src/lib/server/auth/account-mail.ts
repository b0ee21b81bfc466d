// The mails of account recovery and change of address. Each names the provider and why the
// person got it, and says what to do if it was not them. None carries a password, and the only
// secret any of them carries is a link's token (`id.secret`), whose secret the database keeps
// only as a SHA-256.
import { composeMail, type MailMessage } from '../mail/message';
import { SERVICE_NAME } from './user';

/** `n***@example.com`: enough for the owner to recognise an address, not enough to harvest it. */
export function maskEmail(email: string): string {
	const at = email.lastIndexOf('@');
	if (at < 1) return '***';
	return `${email[0]}***${email.slice(at)}`;
}

const host = (issuer: string) => new URL(issuer).host;

export function passwordResetMail(issuer: string, to: string, link: string, validMinutes: number): MailMessage {
	return composeMail(SERVICE_NAME, {
		to,
		subject: `Reset your ${SERVICE_NAME} password`,
		heading: 'Reset your password',
		paragraphs: [
			`Someone (we hope you) asked to reset the password of the account for ${to} at ${host(issuer)}.`,
			`The link works once and for ${validMinutes} minutes. Choosing a new password signs you out everywhere, so sign in again afterwards.`
		],
		action: { label: 'Choose a new password', url: link },
		footer: `you received this because a password reset was requested for this address. If it was not you, ignore this mail: your password stays as it is.`
	});
}

export function passwordChangedMail(issuer: string, to: string): MailMessage {
	return composeMail(SERVICE_NAME, {
		to,
		subject: `Your ${SERVICE_NAME} password was changed`,
		heading: 'Your password was changed',
		paragraphs: [
			`The password of the account for ${to} at ${host(issuer)} was just changed with a reset link sent to this address. ` +
				`Every session of the account was ended.`,
			'If this was not you, someone can read your mail: secure your mailbox, then ask for a new reset link to choose another password.'
		],
		action: { label: 'Reset the password again', url: `${issuer}/auth/forgot-password` },
		footer: 'you received this because the password of your account was changed.'
	});
}

export function emailChangeLinkMail(issuer: string, to: string, currentEmail: string, link: string, validMinutes: number): MailMessage {
	return composeMail(SERVICE_NAME, {
		to,
		subject: `Confirm your new ${SERVICE_NAME} email address`,
		heading: 'Confirm your new email address',
		paragraphs: [
			`Someone signed in to the account ${maskEmail(currentEmail)} at ${host(issuer)} asked to use ${to} as its address from now on.`,
			`To confirm, open the link within ${validMinutes} minutes, signed in to that account. The link works once.`
		],
		action: { label: 'Confirm the new address', url: link },
		footer: 'you received this because this address was entered as the new address of an account. If it was not you, ignore this mail: nothing changes.'
	});
}

/** To a new address that already has an account: the same kind of mail, without a link that could move it. */
export function emailInUseMail(issuer: string, to: string): MailMessage {
	return composeMail(SERVICE_NAME, {
		to,
		subject: `Your address is already in use at ${SERVICE_NAME}`,
		heading: 'This address already has an account',
		paragraphs: [
			`Someone signed in to another account at ${host(issuer)} asked to use ${to} as its address. ` +
				`This address already belongs to an account, so nothing was changed.`,
			'If that was you: sign in with this address instead. If you forgot its password, you can reset it.'
		],
		action: { label: 'Reset the password of this address', url: `${issuer}/auth/forgot-password?email=${encodeURIComponent(to)}` },
		footer: 'you received this because this address was entered as the new address of an account. If it was not you, ignore this mail.'
	});
}

export function emailChangeRequestedMail(issuer: string, to: string, newEmail: string, validMinutes: number): MailMessage {
	return composeMail(SERVICE_NAME, {
		to,
		subject: `A change of your ${SERVICE_NAME} email address was requested`,
		heading: 'A change of your email address was requested',
		paragraphs: [
			`Someone signed in to your account at ${host(issuer)} asked to change its address to ${maskEmail(newEmail)}. ` +
				`It changes only if the link sent there is opened within ${validMinutes} minutes.`,
			'If this was not you, reset your password now: that cancels the change and signs out every session of your account.'
		],
		action: { label: 'Reset your password', url: `${issuer}/auth/forgot-password?email=${encodeURIComponent(to)}` },
		footer: 'you received this because a change of the address of your account was requested.'
	});
}

export function emailChangedMail(issuer: string, to: string, newEmail: string): MailMessage {
	return composeMail(SERVICE_NAME, {
		to,
		subject: `Your ${SERVICE_NAME} email address was changed`,
		heading: 'Your email address was changed',
		paragraphs: [
			`The account that used ${to} at ${host(issuer)} now uses ${maskEmail(newEmail)}. ` +
				`Mail about the account, including password reset links, goes there from now on.`,
			`If this was not you, contact the people who run ${host(issuer)} at once: from now on this address can no longer reset the password.`
		],
		footer: 'you received this because this was the address of your account until now.'
	});
}

/** After a change (or first choice) of password on the account page, signed in: the owner hears of it, in case it was not them. */
export function passwordChangedSignedInMail(issuer: string, to: string, kind: 'changed' | 'set'): MailMessage {
	const what = kind === 'changed' ? 'changed' : 'set';
	return composeMail(SERVICE_NAME, {
		to,
		subject: `Your ${SERVICE_NAME} password was ${what}`,
		heading: `Your password was ${what}`,
		paragraphs: [
			kind === 'changed'
				? `The password of the account for ${to} at ${host(issuer)} was just changed on the account page. Every other session of the account was signed out.`
				: `A password was just set for the account for ${to} at ${host(issuer)} on the account page. ` +
					`The account can now be signed in to with this address and that password.`,
			'If this was not you, reset the password now with the link below: that signs out every session, including the one that made this change.'
		],
		action: { label: 'Reset your password', url: `${issuer}/auth/forgot-password?email=${encodeURIComponent(to)}` },
		footer: `you received this because the password of your account was ${what}.`
	});
}
