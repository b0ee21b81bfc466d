// The three origins this project serves and the ports they listen on. Plain JavaScript
// without imports, because the production launcher (scripts/serve.js) and vite.config.ts
// read it as well as src/lib/server/config.ts.

/** @typedef {'provider' | 'site1' | 'site2'} OriginName */

export const DEFAULT_URLS = /** @type {const} */ ({
	provider: 'http://localhost:3000',
	site1: 'http://localhost:3001',
	site2: 'http://localhost:3002'
});

/**
 * The public URL of each origin, from PROVIDER_URL, SITE1_URL and SITE2_URL.
 * @param {Record<string, string | undefined>} env
 * @returns {Record<OriginName, URL>}
 */
export function resolveOriginURLs(env) {
	return {
		provider: new URL(env.PROVIDER_URL || DEFAULT_URLS.provider),
		site1: new URL(env.SITE1_URL || DEFAULT_URLS.site1),
		site2: new URL(env.SITE2_URL || DEFAULT_URLS.site2)
	};
}

/**
 * What this process listens on: SERVE picks the origins (default all three), PORT overrides
 * the provider's port (e.g. behind a proxy), SITE1_PORT / SITE2_PORT the sites'.
 * @param {Record<string, string | undefined>} env
 * @returns {{ name: OriginName, url: URL, port: number }[]}
 */
export function resolveListeners(env) {
	const urls = resolveOriginURLs(env);
	const serve = (env.SERVE || 'provider,site1,site2').split(',').map((s) => s.trim());
	const overrides = { provider: env.PORT, site1: env.SITE1_PORT, site2: env.SITE2_PORT };
	return /** @type {OriginName[]} */ (['provider', 'site1', 'site2'])
		.filter((name) => serve.includes(name))
		.map((name) => ({
			name,
			url: urls[name],
			port: Number(overrides[name] || urls[name].port || (urls[name].protocol === 'https:' ? 443 : 80))
		}));
}
