/**
 * The rules the authorization endpoint enforces, each with the spec clause it comes from and
 * what would fix a request that broke it. One table, so the checks (authorize.ts) and the
 * "For developers" explanation on the rejected-request page cannot drift apart. Shown only
 * with DEVELOPER_PAGES on (developer-pages-setting.ts).
 */

export type RequestRuleId =
	| 'parameter-repeated'
	| 'client-id-required'
	| 'client-id-unknown'
	| 'redirect-uri-required'
	| 'redirect-uri-unregistered'
	| 'grant-type-not-registered'
	| 'response-type-required'
	| 'response-type-unsupported'
	| 'scope-openid-required'
	| 'pkce-required'
	| 'pkce-method-s256'
	| 'pkce-challenge-malformed';

export interface SpecCitation {
	/** e.g. "RFC 6749 §3.1.2.3" */
	clause: string;
	href: string;
}

export interface RequestRule {
	/** The rule, as one sentence. */
	rule: string;
	/** Why the provider enforces it: what would go wrong without it. */
	why: string;
	citations: SpecCitation[];
	/** What the client's developer changes so the request passes. */
	fix: string;
}

const RFC6749 = 'https://www.rfc-editor.org/rfc/rfc6749';
const RFC7636 = 'https://www.rfc-editor.org/rfc/rfc7636';
const RFC9700 = 'https://www.rfc-editor.org/rfc/rfc9700';
const OIDC_CORE = 'https://openid.net/specs/openid-connect-core-1_0.html';

const cite = {
	rfc6749_3_1: { clause: 'RFC 6749 §3.1', href: `${RFC6749}#section-3.1` },
	rfc6749_3_1_2_3: { clause: 'RFC 6749 §3.1.2.3', href: `${RFC6749}#section-3.1.2.3` },
	rfc6749_3_1_2_4: { clause: 'RFC 6749 §3.1.2.4', href: `${RFC6749}#section-3.1.2.4` },
	rfc6749_3_1_1: { clause: 'RFC 6749 §3.1.1', href: `${RFC6749}#section-3.1.1` },
	rfc6749_3_3: { clause: 'RFC 6749 §3.3', href: `${RFC6749}#section-3.3` },
	rfc6749_4_1_1: { clause: 'RFC 6749 §4.1.1', href: `${RFC6749}#section-4.1.1` },
	rfc6749_4_1_2_1: { clause: 'RFC 6749 §4.1.2.1', href: `${RFC6749}#section-4.1.2.1` },
	rfc7636_4_3: { clause: 'RFC 7636 §4.3', href: `${RFC7636}#section-4.3` },
	rfc7636_4_2: { clause: 'RFC 7636 §4.2', href: `${RFC7636}#section-4.2` },
	rfc9700_2_1_1: { clause: 'RFC 9700 §2.1.1', href: `${RFC9700}#section-2.1.1` },
	oidc_3_1_2_1: { clause: 'OIDC Core §3.1.2.1', href: `${OIDC_CORE}#AuthRequest` },
	oidc_3_1_2_2: { clause: 'OIDC Core §3.1.2.2', href: `${OIDC_CORE}#AuthRequestValidation` }
} satisfies Record<string, SpecCitation>;

export const REQUEST_RULES: Record<RequestRuleId, RequestRule> = {
	'parameter-repeated': {
		rule: 'Each request parameter appears at most once.',
		why: 'A repeated parameter is ambiguous: two parts of a system could read different values and check one while using the other.',
		citations: [cite.rfc6749_3_1],
		fix: 'Send each parameter once; look for a library and your own code both adding the same one.'
	},
	'client-id-required': {
		rule: 'The request names its client with client_id.',
		why: 'Without a client the provider cannot know which redirect URIs are allowed, so it has nowhere safe to send the answer.',
		citations: [cite.rfc6749_4_1_1, cite.oidc_3_1_2_1],
		fix: 'Add client_id: the id printed when the client was registered (npm run clients -- list shows them).'
	},
	'client-id-unknown': {
		rule: 'client_id must be a client registered with this provider.',
		why: 'The provider only sends codes to redirect URIs registered for a known client; an unknown client has none.',
		citations: [cite.rfc6749_4_1_2_1, cite.oidc_3_1_2_2],
		fix:
			'Check the client_id for typos and that the client is registered at this provider ' +
			'(npm run clients -- list, or register it: npm run clients -- add, or RFC 7591 POST /api/auth/register).'
	},
	'redirect-uri-required': {
		rule: 'OpenID Connect requests carry redirect_uri.',
		why: 'OpenID Connect makes redirect_uri required so the provider never has to guess where the answer goes.',
		citations: [cite.oidc_3_1_2_1, cite.rfc6749_3_1_2_3],
		fix: 'Add redirect_uri with one of the URIs registered for this client, exactly as registered.'
	},
	'redirect-uri-unregistered': {
		rule: 'redirect_uri must exactly match a URI registered for the client (simple string comparison).',
		why:
			'Never redirect to an unregistered URI: it would hand the authorization code to whoever controls that URI. ' +
			'The error is shown here instead of being sent there.',
		citations: [cite.rfc6749_3_1_2_3, cite.rfc6749_4_1_2_1, cite.oidc_3_1_2_1],
		fix: 'Send one of the registered URIs below character for character (scheme, host, port, path, trailing slash), or register this one.'
	},
	'grant-type-not-registered': {
		rule: 'Only a client registered for the authorization code grant may ask for a code.',
		why: 'A client registered for other grants (such as client_credentials) was never meant to act for a user.',
		citations: [cite.rfc6749_4_1_2_1],
		fix:
			'Register the client with the authorization_code grant type ' +
			'(npm run clients -- allow CLIENT_ID --grant-type authorization_code --grant-type refresh_token).'
	},
	'response-type-required': {
		rule: 'The request says which response it wants with response_type.',
		why: 'The response type decides which flow runs; the provider does not guess it.',
		citations: [cite.rfc6749_3_1_1, cite.oidc_3_1_2_1],
		fix: 'Add response_type=code.'
	},
	'response-type-unsupported': {
		rule: 'This provider supports only response_type=code (the authorization code flow).',
		why:
			"The implicit and hybrid flows put tokens in the browser's address bar, where history, logs and Referer headers leak them; " +
			'RFC 9700 advises against them.',
		citations: [cite.rfc6749_3_1_1, cite.rfc6749_4_1_2_1, cite.rfc9700_2_1_1],
		fix: 'Send response_type=code and exchange the code at the token endpoint.'
	},
	'scope-openid-required': {
		rule: "An OpenID Connect request's scope includes openid.",
		why: 'Without openid the request is plain OAuth: no ID token, no sign-in. This provider is for signing in.',
		citations: [cite.oidc_3_1_2_1, cite.rfc6749_3_3],
		fix: 'Send scope=openid, plus any of profile, email, offline_access the client needs (space-separated).'
	},
	'pkce-required': {
		rule: 'A public client (one without a secret) must use PKCE with S256.',
		why:
			'A public client cannot prove who it is at the token endpoint; ' +
			'the code_verifier is the only thing that stops a stolen code from being redeemed by someone else.',
		citations: [cite.rfc9700_2_1_1, cite.rfc7636_4_3],
		fix:
			'Create a random code_verifier, send code_challenge=BASE64URL(SHA-256(verifier)) with code_challenge_method=S256, ' +
			'and the verifier with the token request.'
	},
	'pkce-method-s256': {
		rule: 'code_challenge_method must be S256 (and a method needs a code_challenge).',
		why: 'With "plain" the challenge is the verifier itself: whoever sees the request sees the secret, so it protects nothing.',
		citations: [cite.rfc9700_2_1_1, cite.rfc7636_4_3],
		fix: 'Send code_challenge_method=S256 together with code_challenge=BASE64URL(SHA-256(code_verifier)).'
	},
	'pkce-challenge-malformed': {
		rule: 'An S256 code_challenge is 43 base64url characters: the SHA-256 of the verifier.',
		why: 'A challenge of any other shape can never match a verifier, so the code could never be redeemed.',
		citations: [cite.rfc7636_4_2],
		fix: 'Send code_challenge=BASE64URL-ENCODE(SHA-256(ASCII(code_verifier))), without padding.'
	}
};

/** What the "For developers" section of a rejected request shows. Plain data: it travels in App.Error. */
export interface DeveloperExplanation extends RequestRule {
	code: string;
	/** For a redirect URI rejection: the URIs registered for that client and how to add one. */
	redirectURIs?: {
		requested?: string;
		registered: string[];
		/** Commands that register another URI (operator CLI, or RFC 7592 for a self-registered client). */
		registerAnother: string[];
	};
}

export interface RejectionContext {
	clientId?: string;
	clientName?: string;
	requestedRedirectURI?: string;
	registeredRedirectURIs?: readonly string[];
	selfRegistered?: boolean;
	issuer: string;
}

/** The explanation for a rejection that names the rule it broke; undefined for one that names none. */
export function explainRejection(code: string, ruleId: RequestRuleId | undefined, context: RejectionContext): DeveloperExplanation | undefined {
	if (!ruleId) return undefined;
	const explanation: DeveloperExplanation = { code, ...REQUEST_RULES[ruleId] };
	if ((ruleId === 'redirect-uri-unregistered' || ruleId === 'redirect-uri-required') && context.clientId && context.registeredRedirectURIs) {
		explanation.redirectURIs = {
			requested: context.requestedRedirectURI,
			registered: [...context.registeredRedirectURIs],
			registerAnother: registerAnotherCommands(context)
		};
	}
	return explanation;
}

function registerAnotherCommands(context: RejectionContext): string[] {
	const wanted = context.requestedRedirectURI ?? 'https://app.example/callback';
	const all = [...(context.registeredRedirectURIs ?? []), wanted];
	const clientId = context.clientId ?? 'CLIENT_ID';
	if (context.selfRegistered) {
		// RFC 7592 §2.2: the update replaces the whole registration, so it lists every URI to keep
		// (and any other metadata the client set: GET the registration first and send it back).
		return [
			`curl -X PUT ${shellWord(`${context.issuer}/api/auth/register/${encodeURIComponent(clientId)}`)} \\\n` +
				`  -H 'Authorization: Bearer REGISTRATION_ACCESS_TOKEN' -H 'Content-Type: application/json' \\\n` +
				`  -d ${shellWord(JSON.stringify({ client_id: clientId, client_name: context.clientName, redirect_uris: all }))}`
		];
	}
	// `add --id` replaces an operator-registered client (and prints a new secret).
	const redirectURIOptions = all.map((uri) => `--redirect-uri ${shellWord(uri)}`).join(' ');
	return [`npm run clients -- add --id ${shellWord(clientId)} --name ${shellWord(context.clientName ?? clientId)} ${redirectURIOptions}`];
}

/**
 * One shell word. The requested redirect_uri and a self-registered client's name come from
 * whoever made the request, and developers paste these commands into a shell: anything but
 * plain characters is single-quoted, so `$(…)`, backticks and quotes stay text.
 */
function shellWord(value: string): string {
	return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
