import adapter from '@sveltejs/adapter-node';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	kit: {
		adapter: adapter(),
		// Kit's built-in origin check answers 403 to every server-to-server form POST
		// (token, introspection, revocation), and only in production builds. The OAuth
		// endpoints authenticate the client instead; browser forms get our own check
		// in src/lib/server/auth/csrf.ts.
		csrf: { trustedOrigins: ['*'] }
	}
};

export default config;
