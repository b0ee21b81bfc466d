// What a person is told when a passkey is refused, in plain words: what happened and what to
// do next. The reasons come from passkeys.ts; none of these texts reveals whose passkey it was.
import type { PasskeyFailure, RelyingParty } from './passkeys';

/** After a refused passkey sign-in. */
export function signInFailureMessage(failure: PasskeyFailure, rp: RelyingParty): string {
	switch (failure) {
		case 'challenge':
			return 'That took too long, or the request was already used. Try again.';
		case 'unknown-credential':
		case 'user-handle':
			return 'This passkey is not registered here: it may have been removed from your account. Sign in with your password instead.';
		case 'origin':
		case 'rp-id':
			return `Passkeys work only at ${rp.origin}. Open the sign-in page there and try again.`;
		case 'user-not-present':
		case 'user-not-verified':
			return 'Your device did not confirm it was you (with your PIN, fingerprint or face). Try again and confirm on your device.';
		case 'counter':
			return 'This passkey was refused because it may have been copied. Sign in with your password and check the passkeys on your account.';
		default:
			return 'This passkey could not be checked. Try again, or sign in with your password.';
	}
}

/** After a refused registration in the account console. */
export function registrationFailureMessage(failure: PasskeyFailure, rp: RelyingParty): string {
	switch (failure) {
		case 'challenge':
			return 'That took too long, or the request was already used. Try adding the passkey again.';
		case 'already-registered':
			return 'This passkey is already registered.';
		case 'origin':
		case 'rp-id':
			return `Passkeys can be added only at ${rp.origin}. Open your account there and try again.`;
		case 'user-not-present':
		case 'user-not-verified':
			return 'Your device did not confirm it was you (with your PIN, fingerprint or face). Try again and confirm on your device.';
		case 'algorithm':
			return 'This device offers a kind of key this provider does not accept. Try another device or password manager.';
		default:
			return 'The passkey could not be checked, so it was not added. Try again.';
	}
}
