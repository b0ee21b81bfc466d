/**
 * The browser helper a first-party frontend uses to get a session JWT for its own APIs
 * (the `authClient.token()` of other auth servers). It asks the provider with the user's
 * provider cookie, caches the token until shortly before it expires, and returns null when
 * nobody is signed in. Backends verify the token through the provider's JWKS.
 */
export function createAuthClient(options: { baseURL: string; fetch?: typeof fetch }) {
	const fetchFn = options.fetch ?? fetch;
	let cached: { token: string; expiresAt: number } | null = null;
	return {
		async token(): Promise<string | null> {
			if (cached && Date.now() < cached.expiresAt - 30_000) return cached.token;
			const response = await fetchFn(`${options.baseURL}/api/auth/token`, { credentials: 'include' });
			if (response.status === 401) return (cached = null);
			if (!response.ok) throw new Error(`the provider answered HTTP ${response.status}`);
			const body: { token: string; expires_in: number } = await response.json();
			cached = { token: body.token, expiresAt: Date.now() + body.expires_in * 1000 };
			return body.token;
		}
	};
}
