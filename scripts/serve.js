// Production launcher: one process serves the provider and both demo sites from the built
// SvelteKit handler, one HTTP listener per origin (`node build` runs this; see
// scripts/write-build-entry.js). Which origin a request belongs to is decided from the
// configured public URL of the listener it arrived on, not from the client's Host header.
//
// There is deliberately no response cache here: a shared cache that keeps whole responses
// replays per-user headers (Set-Cookie) to the next visitor (issue #6, finding 1). The public
// documents (JWKS, discovery) are cheap through SvelteKit because they do no session work.
import { createServer } from 'node:http';
import { resolveListeners } from '../src/lib/origins.js';

// adapter-node reads PROTOCOL_HEADER / HOST_HEADER when its handler is first imported. When
// a reverse proxy is configured to set them, its values are kept; otherwise each listener
// sets its own from the configured public URL.
const ownProtocol = !process.env.PROTOCOL_HEADER;
const ownHost = !process.env.HOST_HEADER;
process.env.PROTOCOL_HEADER ||= 'x-sso-forwarded-proto';
process.env.HOST_HEADER ||= 'x-sso-forwarded-host';
const PROTOCOL_HEADER = process.env.PROTOCOL_HEADER;
const HOST_HEADER = process.env.HOST_HEADER;

// RFC 6797: two years (the HSTS preload list's minimum is one); subdomains of an https origin
// are its own (e.g. sso.example.com's), so includeSubDomains pins nobody else's site. Set on
// every response of an https origin here, static files included, which the hooks never see.
const HSTS = 'max-age=63072000; includeSubDomains';

/** Seconds from SIGTERM until the listeners stop accepting; /readyz answers 503 meanwhile. */
const SHUTDOWN_DELAY_MS = seconds('SHUTDOWN_DELAY_SECONDS', 0) * 1000;
/** Seconds in-flight requests get to finish before their connections are cut. */
const SHUTDOWN_TIMEOUT_MS = seconds('SHUTDOWN_TIMEOUT_SECONDS', 30) * 1000;

function seconds(name, fallback) {
	const raw = process.env[name];
	if (raw === undefined || raw === '') return fallback;
	const value = Number(raw);
	if (!Number.isFinite(value) || value < 0) {
		console.error(`[sso] ${name} must be a number of seconds (got "${raw}")`);
		process.exit(1);
	}
	return value;
}

/** Starts one listener per configured origin around the built handler at `handlerURL`. */
export async function serve(handlerURL) {
	const { handler } = await import(handlerURL.href);
	let draining = false;
	const servers = [];
	for (const { name, url, port } of resolveListeners(process.env)) {
		const https = url.protocol === 'https:';
		const server = createServer((req, res) => {
			if (https) res.setHeader('Strict-Transport-Security', HSTS);
			if (draining) {
				// Each connection ends after its current response, so the process can exit.
				res.setHeader('Connection', 'close');
				// A load balancer polls readiness: this instance takes no new work.
				if (req.url === '/readyz') {
					res.writeHead(503, { 'content-type': 'application/json', 'cache-control': 'no-store', 'retry-after': '1' });
					res.end('{"status":"draining"}');
					return;
				}
			}
			if (ownProtocol) req.headers[PROTOCOL_HEADER] = url.protocol.slice(0, -1);
			if (ownHost) req.headers[HOST_HEADER] = url.host;
			handler(req, res);
		});
		server.on('error', (error) => {
			console.error(`[sso] cannot listen on port ${port} for ${name} (${url.origin}): ${error.message}`);
			process.exit(1);
		});
		server.listen(port, process.env.HOST, () => console.log(`[sso] ${name.padEnd(8)} listening on :${port} as ${url.origin}`));
		servers.push(server);
	}

	/**
	 * Graceful stop for rolling restarts: readiness fails at once, the listeners stop accepting
	 * after SHUTDOWN_DELAY_SECONDS, every request already accepted is answered, then the
	 * database pool closes and the process exits. A second signal exits at once.
	 */
	const stop = async (signal) => {
		if (draining) {
			console.log(`[sso] ${signal} again: exiting now`);
			process.exit(1);
		}
		draining = true;
		const started = Date.now();
		console.log(
			`[sso] ${signal}: draining (readiness fails now${signal === 'SIGTERM' && SHUTDOWN_DELAY_MS ? `, listeners close in ${SHUTDOWN_DELAY_MS / 1000} s` : ''})`
		);
		// Ctrl-C in development needs no grace period for a load balancer.
		if (signal === 'SIGTERM' && SHUTDOWN_DELAY_MS) await new Promise((resolve) => setTimeout(resolve, SHUTDOWN_DELAY_MS));
		const closed = Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
		// Keep-alive connections that fall idle after close() would otherwise wait for their timeout.
		const sweep = setInterval(() => servers.forEach((server) => server.closeIdleConnections()), 100);
		const timedOut = new Promise((resolve) => setTimeout(() => resolve('timeout'), SHUTDOWN_TIMEOUT_MS).unref());
		if ((await Promise.race([closed, timedOut])) === 'timeout') {
			console.error(`[sso] requests still running after ${SHUTDOWN_TIMEOUT_MS / 1000} s: closing their connections`);
			servers.forEach((server) => server.closeAllConnections());
		}
		clearInterval(sweep);
		// Cleanup hooks of the app (adapter-node's convention), then the database the app opened
		// (src/lib/server/db/instance.ts keeps it on globalThis): no query is left in flight.
		process.emit('sveltekit:shutdown', signal);
		try {
			const database = await globalThis.__ssoDatabase;
			await database?.close();
		} catch (error) {
			console.error(`[sso] closing the database: ${error instanceof Error ? error.message : error}`);
		}
		console.log(`[sso] stopped after ${((Date.now() - started) / 1000).toFixed(1)} s: every accepted request answered, database closed`);
		process.exit(0);
	};
	process.on('SIGTERM', () => void stop('SIGTERM'));
	process.on('SIGINT', () => void stop('SIGINT'));
}
