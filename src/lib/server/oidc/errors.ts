import type { RequestRuleId } from './request-rules';

/**
 * OAuth 2.0 / OIDC protocol errors, one class per error code (RFC 6749 §4.1.2.1, §5.2;
 * OIDC Core §3.1.2.6). They are rendered in one place (http.ts), never as a page.
 */
export class OAuthError extends Error {
	/** The rule this error enforces, with its spec citation in request-rules.ts (for the developer pages). */
	rule?: RequestRuleId;

	constructor(
		readonly code: string,
		readonly description: string,
		readonly status = 400
	) {
		super(`${code}: ${description}`);
	}

	/** Names the rule (request-rules.ts) that this error enforces. */
	enforcing(rule: RequestRuleId): this {
		this.rule = rule;
		return this;
	}
}

export class InvalidRequest extends OAuthError {
	constructor(description: string) {
		super('invalid_request', description);
	}
}

/** RFC 6749 §5.2: 401 (with WWW-Authenticate when the client used Basic). */
export class InvalidClient extends OAuthError {
	constructor(description = 'client authentication failed') {
		super('invalid_client', description, 401);
	}
}

export class InvalidGrant extends OAuthError {
	constructor(description: string) {
		super('invalid_grant', description);
	}
}

export class UnauthorizedClient extends OAuthError {
	constructor(description: string) {
		super('unauthorized_client', description);
	}
}

export class UnsupportedGrantType extends OAuthError {
	constructor(grantType: string) {
		super('unsupported_grant_type', `grant_type "${grantType}" is not supported`);
	}
}

export class InvalidScope extends OAuthError {
	constructor(description: string) {
		super('invalid_scope', description);
	}
}

export class UnsupportedResponseType extends OAuthError {
	constructor(responseType: string) {
		super('unsupported_response_type', `response_type "${responseType}" is not supported; use "code"`);
	}
}

export class LoginRequired extends OAuthError {
	constructor(description = 'the user is not signed in') {
		super('login_required', description);
	}
}

export class RequestNotSupported extends OAuthError {
	constructor() {
		super('request_not_supported', 'request objects are not supported');
	}
}

export class RequestURINotSupported extends OAuthError {
	constructor() {
		super('request_uri_not_supported', 'request_uri is not supported');
	}
}

/** RFC 6750 §3.1: a bearer token that is missing, expired, revoked or malformed. */
export class InvalidToken extends OAuthError {
	constructor(description = 'the access token is invalid or has expired') {
		super('invalid_token', description, 401);
	}
}

/** RFC 6750 §3.1: a request with no credentials at all gets a challenge without an error code. */
export class MissingToken extends InvalidToken {
	constructor() {
		super('an access token is required');
	}
}

export class ConsentRequired extends OAuthError {
	constructor() {
		super('consent_required', 'the user has not authorized this client');
	}
}

export class AccessDenied extends OAuthError {
	constructor(description = 'the user denied the request') {
		super('access_denied', description);
	}
}

/**
 * RFC 6749 §4.1.2.1 (and §5.2 by extension): the server cannot handle the request now, e.g.
 * while its database is unreachable. Sent as 503 with Retry-After.
 */
export class TemporarilyUnavailable extends OAuthError {
	constructor(description = 'the service is temporarily unavailable; retry shortly') {
		super('temporarily_unavailable', description, 503);
	}
}

/** RFC 8707 §2: the `resource` is unknown, not allowed for this client, or malformed. */
export class InvalidTarget extends OAuthError {
	constructor(description: string) {
		super('invalid_target', description);
	}
}
