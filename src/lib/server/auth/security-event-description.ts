// The Security log's lines in plain words: what happened, said to the account's owner ("you").
// Framework-free, so every type's wording is tested without a page.

export interface DescribedEvent {
	/** One sentence: "Signed in with a password", "Failed sign-in: wrong password". */
	summary: string;
	/** A failed or refused attempt: the page marks it so a run of them stands out. */
	failed: boolean;
}

export interface DescriptionContext {
	/** The display name of a configured upstream ("GitHub") by its id, if it is still configured. */
	upstreamName?: (id: string) => string | undefined;
}

const METHOD_WORDS: Record<string, string> = {
	password: 'a password',
	passkey: 'a passkey'
};

// RFC 8176 §2 values as the second step of a sign-in.
const SECOND_FACTOR_WORDS: Record<string, string> = {
	otp: 'a one-time code'
};

const FAILURE_WORDS: Record<string, string> = {
	password: 'Failed sign-in: wrong password',
	'rate-limited': 'Sign-in refused: too many failed attempts (repeats from the same address within 15 minutes are not listed again)',
	code: 'Failed sign-in: wrong two-step verification code',
	'recovery-code': 'Failed sign-in: wrong recovery code',
	passkey: 'Failed sign-in: the passkey was not accepted'
};

// What a scope lets an application see, in the words of "access to your …".
const SCOPE_WORDS: Record<string, string> = {
	email: 'email',
	profile: 'profile'
};

function upstreamWords(id: string | undefined, context: DescriptionContext): string {
	if (!id || id === 'upstream') return 'another service';
	return context.upstreamName?.(id) ?? id;
}

function signInMethod(detail: Record<string, string>, context: DescriptionContext): string {
	const method = detail.method ?? '';
	const first = METHOD_WORDS[method] ?? `your ${upstreamWords(method, context)} account`;
	const second = (detail.amr ?? '')
		.split(' ')
		.map((value) => SECOND_FACTOR_WORDS[value])
		.find(Boolean);
	return second && method !== 'passkey' ? `${first} and ${second}` : first;
}

/** "your email and profile", "your email, profile and “api:read”", or null for sign-in alone. */
function accessWords(scope: string | undefined): string | null {
	const scopes = (scope ?? '').split(' ').filter(Boolean);
	const named = scopes
		.filter((s) => s in SCOPE_WORDS)
		.sort()
		.map((s) => SCOPE_WORDS[s]);
	const other = scopes.filter((s) => !(s in SCOPE_WORDS) && s !== 'openid' && s !== 'offline_access').map((s) => `“${s}”`);
	const all = [...named, ...other];
	if (all.length === 0) return null;
	const list = all.length === 1 ? all[0] : `${all.slice(0, -1).join(', ')} and ${all.at(-1)}`;
	return `your ${list}`;
}

function appName(detail: Record<string, string>): string {
	return detail.clientName || detail.clientId || 'an application';
}

/** The line for one event. An unknown type (added later, or removed) still reads sensibly. */
export function describeSecurityEvent(type: string, detail: Record<string, string>, context: DescriptionContext = {}): DescribedEvent {
	const ok = (summary: string): DescribedEvent => ({ summary, failed: false });
	switch (type) {
		case 'sign-in':
			return ok(`Signed in with ${signInMethod(detail, context)}`);
		case 'step-up':
			return ok(`Confirmed it was you with ${SECOND_FACTOR_WORDS.otp}, as an application asked`);
		case 'sign-in-failed':
			return { summary: FAILURE_WORDS[detail.reason ?? ''] ?? 'Failed sign-in', failed: true };
		case 'password-changed':
			return ok('Changed your password');
		case 'password-set':
			return ok('Set a password for your account');
		case 'password-reset':
			return ok('Reset your password with a link sent by email');
		case 'email-changed':
			return ok(detail.from && detail.to ? `Changed your email address from ${detail.from} to ${detail.to}` : 'Changed your email address');
		case 'totp-enabled':
			return ok('Turned on two-step verification with an authenticator app');
		case 'totp-disabled':
			return ok('Turned off two-step verification with an authenticator app');
		case 'recovery-codes-generated':
			return ok('Created new recovery codes (any older ones stopped working)');
		case 'recovery-code-used':
			return ok('Used a recovery code to sign in');
		case 'passkey-added':
			return ok(detail.name ? `Added a passkey: ${detail.name}` : 'Added a passkey');
		case 'passkey-removed':
			return ok(detail.name ? `Removed a passkey: ${detail.name}` : 'Removed a passkey');
		case 'app-granted': {
			const access = accessWords(detail.scope);
			const offline = (detail.scope ?? '').split(' ').includes('offline_access') ? ', also while you are away' : '';
			return ok(access ? `Granted ${appName(detail)} access to ${access}${offline}` : `Allowed ${appName(detail)} to sign you in${offline}`);
		}
		case 'app-revoked':
			return ok(`Revoked the access of ${appName(detail)}`);
		case 'session-revoked':
			return ok('Signed out one of your other sessions');
		case 'other-sessions-revoked': {
			const count = Number(detail.count);
			return ok(Number.isInteger(count) && count > 0 ? `Signed out all other sessions (${count})` : 'Signed out all other sessions');
		}
		case 'upstream-linked':
			return ok(`Linked your ${upstreamWords(detail.provider, context)} account: you can sign in with it`);
		default:
			return ok(`Account event: ${type}`);
	}
}
