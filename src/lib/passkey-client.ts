// The browser's half of the passkey ceremonies: the provider's JSON options turned into the
// WebAuthn API's binary form (base64url ⇄ ArrayBuffer), and the credential turned back into
// JSON for the server. The checks themselves are all on the server (src/lib/server/auth/passkeys.ts).

/** Whether this browser can make and use passkeys at all (WebAuthn Level 1 API). */
export function passkeysSupported(): boolean {
	return typeof window !== 'undefined' && typeof window.PublicKeyCredential === 'function' && !!navigator.credentials;
}

/** Whether the browser offers passkeys in the email field's autofill (conditional mediation, WebAuthn §5.1.4.1). */
export async function conditionalMediationAvailable(): Promise<boolean> {
	if (!passkeysSupported()) return false;
	const check = (PublicKeyCredential as unknown as { isConditionalMediationAvailable?: () => Promise<boolean> }).isConditionalMediationAvailable;
	return typeof check === 'function' ? check.call(PublicKeyCredential).catch(() => false) : false;
}

export function toBase64url(buffer: ArrayBuffer | ArrayBufferView): string {
	const bytes = buffer instanceof ArrayBuffer ? new Uint8Array(buffer) : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
	let binary = '';
	for (const byte of bytes) binary += String.fromCharCode(byte);
	return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64url(value: string): ArrayBuffer {
	const base64 = value
		.replace(/-/g, '+')
		.replace(/_/g, '/')
		.padEnd(Math.ceil(value.length / 4) * 4, '=');
	const binary = atob(base64);
	const bytes = new Uint8Array(binary.length);
	for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
	return bytes.buffer;
}

interface RegistrationOptionsJSON {
	challenge: string;
	rp: { id: string; name: string };
	user: { id: string; name: string; displayName: string };
	pubKeyCredParams: PublicKeyCredentialParameters[];
	timeout: number;
	excludeCredentials: { type: 'public-key'; id: string }[];
	authenticatorSelection: AuthenticatorSelectionCriteria;
	attestation: AttestationConveyancePreference;
}

interface AuthenticationOptionsJSON {
	challenge: string;
	rpId: string;
	timeout: number;
	allowCredentials: { type: 'public-key'; id: string }[];
	userVerification: UserVerificationRequirement;
}

/** Asks the authenticator for a new passkey; the fields the account page's form sends. */
export async function createPasskey(options: RegistrationOptionsJSON): Promise<{ clientDataJSON: string; attestationObject: string }> {
	const credential = (await navigator.credentials.create({
		publicKey: {
			...options,
			challenge: fromBase64url(options.challenge),
			user: { ...options.user, id: fromBase64url(options.user.id) },
			excludeCredentials: options.excludeCredentials.map((c) => ({ type: c.type, id: fromBase64url(c.id) }))
		}
	})) as PublicKeyCredential | null;
	if (!credential) throw new DOMException('No passkey was created', 'NotAllowedError');
	const response = credential.response as AuthenticatorAttestationResponse;
	return { clientDataJSON: toBase64url(response.clientDataJSON), attestationObject: toBase64url(response.attestationObject) };
}

/** The assertion as the sign-in endpoint takes it. */
export interface AssertionJSON {
	id: string;
	clientDataJSON: string;
	authenticatorData: string;
	signature: string;
	userHandle: string | null;
}

/**
 * Asks for a passkey of this site: with a dialog (`optional`, the button), or through the
 * email field's autofill (`conditional`), which waits until the person picks one or `signal` aborts.
 */
export async function getPasskey(options: AuthenticationOptionsJSON, mediation: 'optional' | 'conditional', signal?: AbortSignal): Promise<AssertionJSON> {
	const credential = (await navigator.credentials.get({
		mediation: mediation as CredentialMediationRequirement,
		signal,
		publicKey: {
			...options,
			challenge: fromBase64url(options.challenge),
			allowCredentials: options.allowCredentials.map((c) => ({ type: c.type, id: fromBase64url(c.id) }))
		}
	})) as PublicKeyCredential | null;
	if (!credential) throw new DOMException('No passkey was chosen', 'NotAllowedError');
	const response = credential.response as AuthenticatorAssertionResponse;
	return {
		id: toBase64url(credential.rawId),
		clientDataJSON: toBase64url(response.clientDataJSON),
		authenticatorData: toBase64url(response.authenticatorData),
		signature: toBase64url(response.signature),
		userHandle: response.userHandle ? toBase64url(response.userHandle) : null
	};
}

/** Plain words for the browser's own refusals (WebAuthn §5.1.3, §5.1.4 error names). */
export function describeBrowserError(error: unknown, action: 'sign-in' | 'add'): string {
	const name = error instanceof DOMException ? error.name : '';
	if (name === 'NotAllowedError' || name === 'AbortError') {
		return action === 'sign-in'
			? 'No passkey was used: the dialog was closed or timed out. Try again, or sign in with your password.'
			: 'No passkey was added: the dialog was closed or timed out. Try again when you are ready.';
	}
	if (name === 'InvalidStateError') return 'This device already has a passkey for your account. Use it to sign in, or add a passkey on another device.';
	if (name === 'SecurityError') return 'The browser refused to use passkeys on this address. Open the provider at its usual address and try again.';
	if (name === 'NotSupportedError') return 'This device cannot make a passkey of a kind this provider accepts.';
	return action === 'sign-in'
		? 'Signing in with a passkey did not work. Try again, or sign in with your password.'
		: 'The passkey could not be added. Try again.';
}
