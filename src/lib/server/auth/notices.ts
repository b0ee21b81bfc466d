// Notices shown after a redirect (`?notice=password-changed`). Only these fixed texts are ever
// shown: a query parameter chooses one, it never supplies the words.

const LOGIN_NOTICES = {
	'password-changed': 'Your password has been changed. Sign in with your new password.',
	'email-changed': 'Your email address has been changed. Sign in with your new address.',
	reauthenticate:
		'Changing your password, email address or two-step verification, or deleting your account, needs a recent sign-in. ' +
		'Sign in again to continue; you come straight back.',
	'step-up': 'The application asks for two-step verification. Sign in with a passkey to continue.',
	'two-factor-expired': 'Your sign-in was not finished in time, or was finished in another tab. Sign in again.',
	'reauthenticate-passkeys': 'Adding or removing a passkey needs a recent sign-in. Sign in again to continue; you come straight back.'
} as const;

const ACCOUNT_NOTICES = {
	'email-changed': 'Your email address has been changed. Applications see the new address the next time they ask for it.',
	'session-ended': 'That session has been signed out, along with the applications it signed in to.',
	'other-sessions-ended': 'Every other session has been signed out. This device stays signed in.',
	'password-changed': 'Your password has been changed. Every other session was signed out; this device stays signed in.',
	'password-set': 'Your password has been set. You can now sign in with your email address and this password.',
	'name-updated': 'Your name has been saved. Applications see it the next time they ask for it.',
	'two-factor-off': 'Two-step verification is off. Signing in no longer asks for a code from your authenticator app.',
	'app-revoked': 'Access removed. The application was signed out and must ask for your permission again to sign you in.'
} as const;

function pick<T extends Record<string, string>>(notices: T, key: string | null): string | null {
	return key !== null && Object.hasOwn(notices, key) ? notices[key as keyof T] : null;
}

const PASSKEY_NOTICES = {
	'passkey-added': 'Passkey added. Next time, choose "Sign in with a passkey" on the sign-in page.',
	'passkey-renamed': 'Passkey renamed.',
	'passkey-removed': 'Passkey removed. It no longer signs you in here; you can also delete it from your device or password manager.'
} as const;

export const loginNotice = (key: string | null): string | null => pick(LOGIN_NOTICES, key);
export const accountNotice = (key: string | null): string | null => pick(ACCOUNT_NOTICES, key);
export const passkeyNotice = (key: string | null): string | null => pick(PASSKEY_NOTICES, key);
