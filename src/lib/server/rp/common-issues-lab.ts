import { errors } from 'jose';
import { failedCheckOf, ID_TOKEN_CHECKS, TokenCheckFailed } from './token-checks';

/**
 * The common-issues lab (/lab on the demo sites): the guide's "Common Issues & Solutions"
 * (seeds/sso-guide.md) plus a key rotation, each triggered for real and then diagnosed from
 * what happened in that run: symptom (what the relying party got, exactly as jose said it),
 * cause (the kids, times and URIs of this run), fix (with the code that does it right and the
 * spec clause). Plain functions of their inputs; the runs that gather the inputs are in
 * common-issues-lab-runs.ts.
 */

export type ScenarioId = 'empty-jwks' | 'invalid-signature' | 'redirect-mismatch' | 'token-expired' | 'key-rotation';

/** One observed fact of the run; `time` (ISO) is shown as a local time beside the value. */
export interface Fact {
	name: string;
	value: string;
	time?: string;
}

/** A file of this repository that implements the right behaviour (a relative link from the repo root). */
export interface CodeLink {
	path: string;
	what: string;
}

export interface SpecLink {
	label: string;
	url: string;
}

export interface Diagnosis {
	scenario: ScenarioId;
	/** Whether the site accepted the token in the end. */
	outcome: 'refused' | 'accepted';
	/** What the relying party saw, e.g. `ERR_JWKS_NO_MATCHING_KEY: no applicable key found in the JSON Web Key Set`. */
	symptom: string;
	/** The site's check that stopped the token (token-checks.ts), when one did. */
	caughtBy?: string;
	facts: Fact[];
	cause: string[];
	fix: string[];
	code: CodeLink[];
	spec: SpecLink[];
}

/** A verification that threw: jose's code and message exactly, and which of the site's checks it was. */
export interface VerificationFailure {
	code: string;
	message: string;
	/** token-checks.ts id (`key`, `signature`, `exp`...). */
	check: string;
	checkName: string;
}

export function describeVerificationFailure(error: unknown): VerificationFailure {
	const check = failedCheckOf(error);
	const code =
		error instanceof errors.JOSEError ? error.code : error instanceof TokenCheckFailed ? 'TOKEN_CHECK_FAILED' : error instanceof Error ? error.name : 'ERROR';
	const message = error instanceof Error ? error.message : String(error);
	return { code, message, check, checkName: ID_TOKEN_CHECKS.find((c) => c.id === check)?.name ?? check };
}

export const symptomOf = (failure: VerificationFailure) => `${failure.code}: ${failure.message}`;

const OIDC_CORE = 'https://openid.net/specs/openid-connect-core-1_0.html';
const SPEC = {
	jwkSet: { label: 'RFC 7517 §5 (JWK Set)', url: 'https://www.rfc-editor.org/rfc/rfc7517#section-5' },
	kid: { label: 'RFC 7517 §4.5 (kid)', url: 'https://www.rfc-editor.org/rfc/rfc7517#section-4.5' },
	discoveryJWKS: { label: 'OpenID Connect Discovery 1.0 §3 (jwks_uri)', url: 'https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata' },
	rotation: { label: 'OIDC Core §10.1.1 (rotation of signing keys)', url: `${OIDC_CORE}#RotateSigKeys` },
	idTokenValidation: { label: 'OIDC Core §3.1.3.7 (ID token validation)', url: `${OIDC_CORE}#IDTokenValidation` },
	jwsSigningInput: { label: 'RFC 7515 §5.2 (validating a JWS)', url: 'https://www.rfc-editor.org/rfc/rfc7515#section-5.2' },
	exp: { label: 'RFC 7519 §4.1.4 (exp)', url: 'https://www.rfc-editor.org/rfc/rfc7519#section-4.1.4' },
	redirectMatch: { label: 'RFC 6749 §3.1.2.3 (redirect URI must match)', url: 'https://www.rfc-editor.org/rfc/rfc6749#section-3.1.2.3' },
	noRedirect: { label: 'RFC 6749 §4.1.2.1 (never redirect to an unverified URI)', url: 'https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1' },
	exactMatch: { label: 'RFC 9700 §4.1.3 (exact string matching)', url: 'https://www.rfc-editor.org/rfc/rfc9700#section-4.1.3' }
} satisfies Record<string, SpecLink>;

const VERIFY: CodeLink = {
	path: 'src/lib/server/rp/verify.ts',
	what: "verifyIDToken: the site's ID token verification (jose jwtVerify with the provider's remote JWKS)"
};
const CHECKS: CodeLink = { path: 'src/lib/server/rp/token-checks.ts', what: 'every check, in the order the site makes it, with the rule it comes from' };
const KEYS: CodeLink = { path: 'src/lib/server/oidc/keys.ts', what: 'KeyStore: keys created before the first JWKS, published ahead of use, kept after' };

const list = (kids: string[]) => (kids.length ? kids.join(', ') : '(none)');
const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;
const iso = (d: Date) => d.toISOString();

/** Scenario 1: the token checked against a JWKS with no keys. */
export function diagnoseEmptyJWKS(run: {
	emptyJWKSURI: string;
	fetchedAt?: Date;
	tokenKid: string;
	failure: VerificationFailure | null;
	providerJWKSURI: string;
	providerKids: string[];
}): Diagnosis {
	const facts: Fact[] = [
		{ name: 'JWKS the site verified against', value: run.emptyJWKSURI },
		{ name: 'Keys in it', value: '0 ({"keys":[]})', ...(run.fetchedAt ? { time: iso(run.fetchedAt) } : {}) },
		{ name: 'kid in the token header', value: run.tokenKid },
		{ name: `Keys the provider publishes now (${run.providerJWKSURI})`, value: `${run.providerKids.length}: ${list(run.providerKids)}` }
	];
	return {
		scenario: 'empty-jwks',
		outcome: run.failure ? 'refused' : 'accepted',
		symptom: run.failure ? symptomOf(run.failure) : 'The token was accepted: the key set was not empty after all.',
		caughtBy: run.failure?.checkName,
		facts,
		cause: [
			`The site fetched ${run.emptyJWKSURI}${run.fetchedAt ? ` at ${iso(run.fetchedAt)}` : ''} and got a key set with no keys, so no key matches ` +
				`kid ${run.tokenKid}. jose refuses before it even looks at the signature: with no key there is nothing to verify with, and a relying party ` +
				`must never fall back to trusting the token.`,
			'The guide\'s cause ("SELECT * FROM jwks → 0 rows"): keys are generated lazily, so the table is empty until the first sign-in or JWKS ' +
				"request; or the migrations never ran; or the site reads a JWKS URL that is not the provider's.",
			`This provider generates its keys lazily too, but creates every algorithm's key before it serves its first JWKS, so no relying party ever ` +
				`caches an empty set from it: ${run.providerJWKSURI} lists ${run.providerKids.length} key${run.providerKids.length === 1 ? '' : 's'} right ` +
				`now. An empty set seen by a relying party therefore means a wrong jwks_uri (a proxy or another service answering), not "no keys yet".`
		],
		fix: [
			"Take jwks_uri from the provider's discovery document instead of hard-coding it, and check it answers with your provider's keys: " +
				'curl the URI, or `npm run keys -- list` on the provider.',
			'On a fresh database the provider applies its migrations at start; `npm run keys -- list` says "no keys yet" until the first JWKS request or ' +
				'token creates them.',
			'Never accept a token because the key set is empty or unreachable: fail closed, as jose does.'
		],
		code: [
			{ ...KEYS, what: "publishedKeys(): every algorithm's key exists before the first JWKS goes out" },
			{ path: 'src/lib/server/rp/discovery.ts', what: 'discoverProvider: jwks_uri comes from discovery, checked against the issuer' },
			{ path: 'src/lib/server/cli/keys.ts', what: '`npm run keys -- list`: what the jwks table holds' },
			VERIFY
		],
		spec: [SPEC.jwkSet, SPEC.discoveryJWKS, SPEC.idTokenValidation]
	};
}

export type InvalidSignatureVariant = 'altered-payload' | 'foreign-key';

/** Scenario 2: a real ID token altered in one byte, or re-signed by a key the provider never published. */
export function diagnoseInvalidSignature(run: {
	variant: InvalidSignatureVariant;
	kid: string;
	/** altered-payload: the claim changed and how. */
	altered?: { claim: string; before: string; after: string };
	/** foreign-key: the thumbprint of the key that really signed. */
	foreignKeyThumbprint?: string;
	jwksKids: string[];
	failure: VerificationFailure | null;
}): Diagnosis {
	const facts: Fact[] = [
		{ name: 'kid in the token header', value: run.kid },
		{ name: "kids in the site's cached JWKS", value: list(run.jwksKids) }
	];
	const cause: string[] = [];
	if (run.variant === 'altered-payload' && run.altered) {
		facts.push({ name: `Claim "${run.altered.claim}"`, value: `${run.altered.before} → ${run.altered.after}` });
		cause.push(
			`The payload of the site's real ID token was altered in one character ("${run.altered.claim}": ` +
				`${run.altered.before} → ${run.altered.after}); header and signature were left as the provider wrote them. ` +
				`The signature covers the header and payload exactly as encoded, so the provider's key ${run.kid} no longer verifies it: ` +
				`one changed byte is enough.`
		);
	} else {
		facts.push({ name: 'Key that really signed (thumbprint)', value: run.foreignKeyThumbprint ?? '?' });
		cause.push(
			`The token names kid ${run.kid}, which the provider's JWKS does hold, so the site picked that public key; ` +
				`but it was signed with another private key (${run.foreignKeyThumbprint ?? 'a key the provider never published'}). ` +
				`That is the guide's "token signed with different key": a token from another environment (another database or server secret behind the ` +
				`same kid), or a forgery.`
		);
	}
	if (run.failure?.check === 'signature') {
		cause.push(
			`The checks before it passed: a well-formed JWT, an allowed alg, a kid found in the JWKS. The signature check (${run.failure.checkName}) ` +
				`stopped it, so no claim was even read.`
		);
	}
	cause.push(
		'The guide also blames a wrong issuer or audience; ' +
			'those fail differently (jose says `unexpected "iss" claim value` or `unexpected "aud" claim value`, after the signature verified). ' +
			'A wrong JWKS endpoint usually fails with "no applicable key", unless it serves a key with the same kid.'
	);
	return {
		scenario: 'invalid-signature',
		outcome: run.failure ? 'refused' : 'accepted',
		symptom: run.failure ? symptomOf(run.failure) : 'The token was accepted, which it must not be.',
		caughtBy: run.failure?.checkName,
		facts,
		cause,
		fix: [
			'Never edit a token, and never decode one and trust it without verifying: the only fix for a bad signature is a token from the right provider.',
			"Verify with the JWKS of the provider that issued the token (its discovery document's jwks_uri), and compare the token's kid with that " +
				"JWKS's kids when in doubt (the guide's snippet).",
			'Treat a signature failure as an attack or a misconfiguration: refuse, log it, do not retry with other keys.'
		],
		code: [VERIFY, CHECKS],
		spec: [SPEC.jwsSigningInput, SPEC.idTokenValidation, SPEC.kid]
	};
}

/** Scenario 3: what the lab sent; the provider refuses it and (rightly) never comes back. */
export function diagnoseRedirectMismatch(run: {
	clientId: string;
	sentRedirectURI: string;
	registeredRedirectURI: string;
	sentAt: Date;
	authorizationEndpoint: string;
}): Diagnosis {
	return {
		scenario: 'redirect-mismatch',
		outcome: 'refused',
		symptom: 'The provider showed "Sign-in request rejected" (HTTP 400) on its own origin and did not send the browser back to the site.',
		facts: [
			{ name: 'client_id', value: run.clientId },
			{ name: 'redirect_uri sent', value: run.sentRedirectURI, time: iso(run.sentAt) },
			{ name: 'redirect_uri this site registered', value: run.registeredRedirectURI },
			{ name: 'Authorization endpoint', value: run.authorizationEndpoint }
		],
		cause: [
			`The authorization request named redirect_uri ${run.sentRedirectURI}, which is not one of the URIs registered for client ${run.clientId}. ` +
				`The provider compares the whole string, character for character: another path, port, scheme, host name (localhost is not 127.0.0.1) ` +
				`or a trailing slash is a different URI.`,
			'It cannot tell the site: the only way back is the redirect_uri, and redirecting to an unverified URI would hand the authorization response ' +
				'(the code) to whoever wrote it. So the error stays on the provider, and the site never hears of the attempt.'
		],
		fix: [
			`Send exactly a registered URI (this site uses ${run.registeredRedirectURI}), built from configuration rather than from the request's Host header.`,
			'To use a new URI, register it: `npm run clients -- add --id CLIENT --redirect-uri URI` on the provider (its "For developers" section shows ' +
				'the command with the registered URIs).',
			'Never loosen the provider to prefix or wildcard matching: an attacker would register a path or subdomain you did not mean.'
		],
		code: [
			{ path: 'src/lib/server/oidc/request-rules.ts', what: 'the rule the provider applies, with its spec citation and developer explanation' },
			{ path: 'src/lib/server/oidc/authorize.ts', what: 'the authorization request pipeline: client, then exact redirect_uri, and only then redirects' },
			{ path: 'src/lib/server/rp/site.ts', what: "the demo site's redirect_uri, from configuration" }
		],
		spec: [SPEC.redirectMatch, SPEC.noRedirect, SPEC.exactMatch]
	};
}

/** Scenario 4: the site's real ID token checked with the site's clock moved past exp + skew. */
export function diagnoseExpiredToken(run: {
	iat: number;
	exp: number;
	clockSkewSeconds: number;
	checkedAt: Date;
	realNow: Date;
	failure: VerificationFailure | null;
}): Diagnosis {
	const lifetime = run.exp - run.iat;
	const realLeft = run.exp * 1000 - run.realNow.getTime();
	return {
		scenario: 'token-expired',
		outcome: run.failure ? 'refused' : 'accepted',
		symptom: run.failure ? symptomOf(run.failure) : 'The token was accepted: it had not expired at the clock used.',
		caughtBy: run.failure?.checkName,
		facts: [
			{ name: 'iat (issued at)', value: String(run.iat), time: iso(new Date(run.iat * 1000)) },
			{ name: 'exp (expires at)', value: String(run.exp), time: iso(new Date(run.exp * 1000)) },
			{ name: 'Lifetime (exp − iat)', value: `${lifetime} s` },
			{ name: 'Clock skew the site allows', value: `${run.clockSkewSeconds} s` },
			{ name: "The site's clock for this check (moved forward)", value: String(Math.floor(run.checkedAt.getTime() / 1000)), time: iso(run.checkedAt) },
			{
				name: 'Real time now',
				value: realLeft > 0 ? `the token is still valid for ${seconds(realLeft)}` : `the token expired ${seconds(-realLeft)} ago`,
				time: iso(run.realNow)
			}
		],
		cause: [
			`The site checked its real ID token with its clock at ${iso(run.checkedAt)}: past exp (${iso(new Date(run.exp * 1000))}) ` +
				`plus the ${run.clockSkewSeconds} s it allows for clock differences between servers. ` +
				`The same verification code refuses it, with jose's exact words above.`,
			`The provider gives ID tokens a ${lifetime} s life on purpose: a token that leaks (a log, a proxy, a browser history) is useless soon after. ` +
				`The site verifies the ID token once, in the callback, and then keeps its own session; it never needs the ID token to stay valid.`
		],
		fix: [
			'Do not re-verify an old ID token to authorize later requests: use your own session (this site) or a fresh access token.',
			"For API calls after expiry, use the refresh token (grant_type=refresh_token, the guide's fix) or sign in again; " +
				'never stretch exp checks or disable them.',
			`Keep server clocks in sync (NTP): the ${run.clockSkewSeconds} s leeway covers drift, not hours. ` +
				`A token refused as "expired" right after it was issued points to a clock that is wrong.`
		],
		code: [
			{ ...VERIFY, what: 'CLOCK_SKEW_SECONDS and ID_TOKEN_MAX_AGE_SECONDS: the leeway the site allows' },
			{ path: 'src/lib/server/oidc/token-policy.ts', what: 'the token lifetimes the provider signs (exp = iat + TTL)' },
			{ path: 'src/lib/server/oidc/refresh-rotation.ts', what: 'refresh tokens: new tokens without a new sign-in' }
		],
		spec: [SPEC.idTokenValidation, SPEC.exp]
	};
}

/** The site's sign-in after the rotation, as the flow inspector recorded it. */
export interface RotationSignIn {
	at: Date;
	outcome: 'succeeded' | 'failed';
	tokenKid?: string;
	/** The site fetched the JWKS during this verification (a cache miss). */
	refetched: boolean;
	/** jose's message when the key lookup or signature failed. */
	failureMessage?: string;
}

export interface KeyRotationRun {
	mode: 'unannounced' | 'publish-ahead';
	startedAt: Date;
	/** The site's cached JWKS when the provider rotated. */
	cachedKids: string[];
	cachedAt?: Date;
	/** The new key. */
	kid: string;
	publishedAt: Date;
	signsFrom: Date;
	previousKid?: string;
	/** publish-ahead: when the site refreshed its cache (the lab compresses jose's 10-minute cache life). */
	refreshedAt?: Date;
	refreshedKids?: string[];
	/**
	 * The first sign-in after the rotation that the site refused, noted by the lab when it showed
	 * it: a later successful sign-in starts a fresh inspector log without it.
	 */
	refusedSignIn?: { at: Date; failureMessage?: string };
}

/** jose createRemoteJWKSet defaults, which the demo sites use (key-lifecycle.ts JOSE_REMOTE_JWKS_CACHE). */
export interface CachePolicy {
	cooldownSeconds: number;
	maxAgeSeconds: number;
}

/** Scenario 5: the provider rotated its key while the site held a cached JWKS; then a new sign-in. */
export function diagnoseKeyRotation(run: KeyRotationRun, signIn: RotationSignIn | undefined, cache: CachePolicy, earlierFailure?: RotationSignIn): Diagnosis {
	const heldBefore = run.mode === 'publish-ahead' ? (run.refreshedKids ?? run.cachedKids) : run.cachedKids;
	const heldAt = run.mode === 'publish-ahead' ? (run.refreshedAt ?? run.cachedAt) : run.cachedAt;
	const facts: Fact[] = [
		{ name: "The site's cached JWKS before the rotation", value: list(run.cachedKids), ...(run.cachedAt ? { time: iso(run.cachedAt) } : {}) },
		{ name: 'New key published', value: run.kid, time: iso(run.publishedAt) },
		{
			name: 'New key signs from',
			value: run.mode === 'unannounced' ? 'at once (not published ahead)' : 'after being published ahead',
			time: iso(run.signsFrom)
		}
	];
	if (run.previousKid) facts.push({ name: 'Key that signed before (still published, retiring)', value: run.previousKid });
	if (run.mode === 'publish-ahead' && run.refreshedAt)
		facts.push({ name: "The site's cache refreshed (as after jose's cache life)", value: list(run.refreshedKids ?? []), time: iso(run.refreshedAt) });
	const code: CodeLink[] = [
		{ ...KEYS, what: 'KeyPolicy.publishBeforeUseSeconds and scheduleRotation(): successors are published before they sign' },
		{ path: 'src/lib/server/rp/verify.ts', what: 'remoteKeySet: jose createRemoteJWKSet, cached, refetched on an unknown kid (with a cooldown)' },
		{ path: 'src/lib/server/oidc/key-lifecycle.ts', what: "what a relying party's cache holds at each key event (shown at /dev/keys)" },
		{ path: 'src/lib/server/cli/keys.ts', what: '`npm run keys:rotate`: the rotation to use in production' }
	];
	const spec = [SPEC.rotation, SPEC.kid];
	const fix = [
		'Publish a new key before it signs, for longer than any relying party caches the JWKS: ' +
			'`npm run keys:rotate` publishes the successor and this provider lets it sign only after KEY_PUBLISH_BEFORE_USE_SECONDS ' +
			"(15 minutes by default, longer than jose's 10-minute cache). Relying parties then never meet an unknown kid.",
		"As a relying party, refetch the JWKS on an unknown kid, but at most once per cooldown: jose's createRemoteJWKSet does both. " +
			"The guide's manual retry (a fresh createRemoteJWKSet on every failure) lets anyone who sends tokens with made-up kids make you fetch the " +
			'JWKS on every request.',
		'Keep the old key published after it stops signing, for as long as anything it signed may still be presented (this provider: keepRetiredSeconds).'
	];
	if (!signIn) {
		return {
			scenario: 'key-rotation',
			outcome: 'refused',
			symptom: 'No sign-in after the rotation yet: sign in again to see what the site makes of a token signed with the new key.',
			facts,
			cause: [
				`The provider now signs with ${run.kid}. ${heldBefore.includes(run.kid) ? "The site's cache holds it." : "The site's cached JWKS does not hold it."}`
			],
			fix,
			code,
			spec
		};
	}
	facts.push({ name: 'kid of the new ID token', value: signIn.tokenKid ?? '(none)', time: iso(signIn.at) });
	const kid = signIn.tokenKid ?? run.kid;
	const wasCached = heldBefore.includes(kid);
	const sinceFetch = heldAt ? signIn.at.getTime() - heldAt.getTime() : undefined;
	const cooldownEndsAt = heldAt ? new Date(heldAt.getTime() + cache.cooldownSeconds * 1000) : undefined;
	facts.push({
		name: 'Did the site refetch the JWKS?',
		value: wasCached
			? 'no: cache hit'
			: signIn.refetched
				? 'yes: the kid was unknown'
				: `no: within jose's ${cache.cooldownSeconds} s cooldown after its last fetch`
	});
	facts.push({ name: 'Sign-in', value: signIn.outcome });
	const cause: string[] = [];
	let symptom: string;
	if (wasCached) {
		symptom = 'Nothing: the sign-in succeeded without the site fetching the JWKS.';
		cause.push(
			`The token's kid ${kid} was already in the JWKS the site cached${heldAt ? ` at ${iso(heldAt)}` : ''}: ` +
				`the provider published it at ${iso(run.publishedAt)}, before it signed anything. ` +
				`The site verified from its cache with no request to the provider: this is what publishing ahead buys.`,
			`In real time, the key is published ${Math.round((run.signsFrom.getTime() - run.publishedAt.getTime()) / 60000)} minutes before it signs, ` +
				`and jose refreshes a cache older than ${Math.round(cache.maxAgeSeconds / 60)} minutes on its own; ` +
				`the lab compressed both waits into one click.`
		);
	} else if (signIn.outcome === 'succeeded' && signIn.refetched) {
		const metAfter =
			sinceFetch !== undefined ? `${seconds(sinceFetch)} after its last fetch, past jose's ${cache.cooldownSeconds} s cooldown` : 'with no earlier fetch';
		symptom = 'The sign-in succeeded, one JWKS request later than usual.';
		cause.push(
			`The token's kid ${kid} was not in the JWKS the site cached${heldAt ? ` at ${iso(heldAt)}` : ''} (${list(heldBefore)}); ` +
				`the provider published it at ${iso(run.publishedAt)} and signed with it at once.`,
			`The site met an unknown kid ${metAfter}, so jose refetched the JWKS during the verification and the new set held ${kid}: verified.`,
			'It worked here, but every relying party paid a request at the moment of the switch, and one that had fetched within the cooldown would have ' +
				'refused valid tokens (try it: rotate again right after this sign-in).'
		);
		if (earlierFailure) {
			cause.push(
				`Your first sign-in after the rotation, at ${iso(earlierFailure.at)}, was ` +
					`refused${earlierFailure.failureMessage ? ` ("${earlierFailure.failureMessage}")` : ''}: ` +
					`it came within the cooldown, so jose did not refetch. This one came after it.`
			);
			facts.push({ name: 'Earlier sign-in refused (within the cooldown)', value: earlierFailure.failureMessage ?? 'failed', time: iso(earlierFailure.at) });
		}
	} else if (signIn.outcome === 'failed' && !signIn.refetched) {
		symptom = signIn.failureMessage
			? `ERR_JWKS_NO_MATCHING_KEY: ${signIn.failureMessage}`
			: "The sign-in failed: no key in the cached JWKS matched the token's kid.";
		cause.push(
			`The token's kid ${kid} was not in the JWKS the site cached${heldAt ? ` at ${iso(heldAt)}` : ''} (${list(heldBefore)}); ` +
				`the provider published it at ${iso(run.publishedAt)} and signed with it at once.`,
			`The token arrived ${sinceFetch !== undefined ? seconds(sinceFetch) : 'soon'} after the site's last fetch, within jose's ` +
				`${cache.cooldownSeconds} s cooldown, so jose did not refetch and refused a perfectly valid token (the guide's "no key found with kid"). ` +
				`The cooldown protects the provider from a flood of refetches, and it is why an unannounced rotation breaks sign-ins.`,
			cooldownEndsAt
				? `From ${iso(cooldownEndsAt)} the next unknown kid makes jose refetch: sign in again after that and it succeeds.`
				: 'Sign in again after the cooldown and it succeeds.'
		);
		if (cooldownEndsAt) facts.push({ name: 'Cooldown ends', value: `${cache.cooldownSeconds} s after the last fetch`, time: iso(cooldownEndsAt) });
	} else {
		symptom = signIn.failureMessage ?? `The sign-in ${signIn.outcome}.`;
		const sentences = [
			`The token's kid ${kid} was not in the cached JWKS (${list(heldBefore)}); ` +
				`the site ${signIn.refetched ? 'refetched the JWKS' : 'did not refetch'} and the sign-in ${signIn.outcome}.`
		];
		if (signIn.outcome === 'failed') {
			sentences.push('A refetched set without the kid means the provider did not publish it where the site looks (another instance, another jwks_uri).');
		}
		cause.push(sentences.join(' '));
	}
	return { scenario: 'key-rotation', outcome: signIn.outcome === 'succeeded' ? 'accepted' : 'refused', symptom, facts, cause, fix, code, spec };
}
