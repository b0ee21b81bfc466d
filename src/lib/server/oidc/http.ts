import { isDatabaseUnavailable, reportDatabaseOutage, RETRY_AFTER_SECONDS } from '../db/outage';
import { InvalidRequest, MissingToken, OAuthError, TemporarilyUnavailable } from './errors';

// RFC 6749 §5.1: token responses (and anything carrying tokens) must not be cached.
const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

/** A JSON response that no cache keeps. */
export function jsonNoStore(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
	return new Response(JSON.stringify(body), {
		status,
		headers: { 'Content-Type': 'application/json', ...NO_STORE, ...headers }
	});
}

/** RFC 6749 §5.2 error body; 401s from Basic auth or bearer tokens say which scheme to use. */
export function oauthErrorResponse(error: OAuthError, challenge?: 'Basic' | 'Bearer'): Response {
	const headers: Record<string, string> = {};
	if (error.status === 401 && challenge) {
		headers['WWW-Authenticate'] =
			challenge === 'Basic'
				? 'Basic realm="token"'
				: error instanceof MissingToken
					? 'Bearer'
					: `Bearer error="${error.code}", error_description="${error.description.replace(/["\\]/g, '')}"`;
	}
	if (error.status === 503) headers['Retry-After'] = String(RETRY_AFTER_SECONDS);
	return jsonNoStore({ error: error.code, error_description: error.description }, error.status, headers);
}

/**
 * Runs an endpoint body, turning protocol errors into their JSON form. Anything else is a
 * bug: it is logged and answered as `server_error` without a stack trace.
 */
export async function runEndpoint(body: () => Promise<Response>, challenge?: 'Basic' | 'Bearer'): Promise<Response> {
	try {
		return await body();
	} catch (error) {
		if (error instanceof OAuthError) return oauthErrorResponse(error, challenge);
		if (isDatabaseUnavailable(error)) {
			reportDatabaseOutage(error);
			return oauthErrorResponse(new TemporarilyUnavailable());
		}
		// The framework's own client errors, e.g. 413 when the body exceeds BODY_SIZE_LIMIT.
		const status = (error as { status?: unknown })?.status;
		if (typeof status === 'number' && status >= 400 && status < 500) {
			return jsonNoStore({ error: 'invalid_request', error_description: (error as Error).message || 'the request was rejected' }, status);
		}
		console.error(error);
		return jsonNoStore({ error: 'server_error', error_description: 'the server could not complete the request' }, 500);
	}
}

/**
 * Reads an `application/x-www-form-urlencoded` body into single values.
 * RFC 6749 §3.1: parameters must not be included more than once.
 */
export async function readFormParameters(request: Request): Promise<Map<string, string>> {
	const type = request.headers.get('content-type') ?? '';
	if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
		throw new InvalidRequest('the body must be application/x-www-form-urlencoded');
	}
	return singleValued(new URLSearchParams(await request.text()));
}

/** Parameters as a map, refusing any that appear twice. Empty values count as absent. */
export function singleValued(params: URLSearchParams): Map<string, string> {
	const seen = new Set<string>();
	const values = new Map<string, string>();
	for (const [key, value] of params) {
		if (seen.has(key)) throw new InvalidRequest(`parameter "${key}" is repeated`).enforcing('parameter-repeated');
		// Postgres text cannot hold NUL, and no OAuth parameter legitimately contains one.
		if (key.includes('\0') || value.includes('\0')) throw new InvalidRequest(`parameter "${key.replace(/\0/g, '')}" contains a NUL character`);
		seen.add(key);
		if (value !== '') values.set(key, value);
	}
	return values;
}
