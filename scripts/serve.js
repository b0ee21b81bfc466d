// Production launcher: one process serves the provider and both demo sites from the built
// SvelteKit handler, one HTTP listener per origin (`node build` runs this; see
// scripts/write-build-entry.js). Which origin a request belongs to is decided from the
// configured public URL of the listener it arrived on, not from the client's Host header.
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

// The two public documents every relying party polls. They change only when a key is created
// or rotated (and the key store itself re-reads the table once a minute), so the provider's
// listener keeps the last answer for a few seconds, like a reverse proxy would, and serves it
// without going through SvelteKit. Key rotation publishes a key 15 minutes before it signs, so
// these seconds can never make a verification fail.
const MICRO_CACHED = new Set(['/api/auth/jwks', '/.well-known/openid-configuration']);
const MICRO_CACHE_MS = 5_000;

function withMicroCache(handler) {
	const cache = new Map();
	return (req, res) => {
		if (req.method !== 'GET' || !MICRO_CACHED.has(req.url)) return handler(req, res);
		const hit = cache.get(req.url);
		if (hit && Date.now() - hit.at < MICRO_CACHE_MS) {
			res.writeHead(200, { ...hit.headers, 'content-length': hit.body.length }).end(hit.body);
			return;
		}
		const path = req.url;
		const chunks = [];
		const write = res.write.bind(res);
		const end = res.end.bind(res);
		res.write = (chunk, ...rest) => {
			chunks.push(Buffer.from(chunk));
			return write(chunk, ...rest);
		};
		res.end = (chunk, ...rest) => {
			if (chunk && typeof chunk !== 'function') chunks.push(Buffer.from(chunk));
			if (res.statusCode === 200) cache.set(path, { at: Date.now(), headers: res.getHeaders(), body: Buffer.concat(chunks) });
			return end(chunk, ...rest);
		};
		handler(req, res);
	};
}

/** Starts one listener per configured origin around the built handler at `handlerURL`. */
export async function serve(handlerURL) {
	const { handler: kitHandler } = await import(handlerURL.href);
	const servers = [];
	for (const { name, url, port } of resolveListeners(process.env)) {
		const handler = name === 'provider' ? withMicroCache(kitHandler) : kitHandler;
		const server = createServer((req, res) => {
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
	const stop = () => {
		for (const server of servers) server.close();
		// Open keep-alive connections would hold the process; every write is already committed.
		setTimeout(() => process.exit(0), 500).unref();
	};
	process.once('SIGTERM', stop);
	process.once('SIGINT', stop);
}
