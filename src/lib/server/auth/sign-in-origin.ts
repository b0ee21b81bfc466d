/**
 * Where a sign-in came from, recorded on the new session for the account console's list:
 * the User-Agent header and the client address (as the adapter resolves it, honouring
 * ADDRESS_HEADER when the provider runs behind a proxy).
 */
export function signInOrigin(event: { request: Request; getClientAddress: () => string }): { userAgent: string | null; ipAddress: string | null } {
	let ipAddress: string | null = null;
	try {
		ipAddress = event.getClientAddress();
	} catch {
		// Some adapters cannot tell (e.g. a request built in a test): the list shows "unknown".
	}
	return { userAgent: event.request.headers.get('user-agent'), ipAddress };
}
