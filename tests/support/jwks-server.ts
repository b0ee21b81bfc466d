import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface JWKSServer {
	/** The JWKS URL, unique per server (so a module-level JWKS cache never mixes two tests). */
	url: string;
	/** How many times the JWKS was fetched. */
	readonly requests: number;
	close(): Promise<void>;
}

/**
 * A tiny HTTP server on an ephemeral loopback port that publishes a JWKS, for code that
 * fetches keys over HTTP (jose's createRemoteJWKSet) the way a relying party does.
 */
export async function serveJWKS(document: () => string | Promise<string>): Promise<JWKSServer> {
	let requests = 0;
	const server: Server = createServer((req, res) => {
		requests++;
		Promise.resolve(document()).then(
			(body) => {
				res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
				res.end(body);
			},
			(error: Error) => {
				res.writeHead(500, { 'content-type': 'text/plain' });
				res.end(error.message);
			}
		);
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve());
	});
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/jwks-${Math.random().toString(36).slice(2)}`,
		get requests() {
			return requests;
		},
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			})
	};
}
