import adapter from '@sveltejs/adapter-node';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	kit: {
		adapter: adapter(),
		// Kit's built-in origin check answers 403 to every server-to-server form POST
		// (token, introspection, revocation), and only in production builds. The OAuth
		// endpoints authenticate the client instead; browser forms get our own check
		// in src/lib/server/auth/csrf.ts.
		csrf: { trustedOrigins: ['*'] },
		// Root-relative asset URLs (/_app/...): the styled 404/405 pages (hooks.server.ts,
		// styleBareErrors) are rendered for one path and served at another, where page-relative
		// URLs would point into nothing.
		paths: { relative: false },
		// Pages may not be framed (clickjacking of the consent page), only our own scripts run,
		// and images load only from our own origin: a registered logo_uri on another host would
		// be a tracking pixel on the consent page (issue #6 finding 8). form-action is deliberately absent: Chromium applies it to the redirect that
		// follows a form post, which for sign-in and consent is the client's redirect_uri.
		csp: {
			mode: 'auto',
			directives: { 'frame-ancestors': ['none'], 'object-src': ['none'], 'base-uri': ['self'], 'script-src': ['self'], 'img-src': ['self'] }
		}
	}
};

export default config;
