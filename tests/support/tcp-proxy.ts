// A TCP proxy on loopback between the app and Postgres, so a test can cut the database off
// (and restore it) without touching the machine's Postgres server.
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface TCPProxy {
	/** The port the proxy listens on (127.0.0.1). */
	port: number;
	/** `url` (a postgres:// URL of the real server) rewritten to go through the proxy. */
	proxied(url: string): string;
	/** Drops every open connection and refuses new ones (ECONNREFUSED), like a database that went away. */
	cut(): Promise<void>;
	/** Accepts connections again on the same port. */
	restore(): Promise<void>;
	close(): Promise<void>;
}

/** Starts a proxy to `target` (host and port of the real server). */
export async function startTCPProxy(target: { host: string; port: number }): Promise<TCPProxy> {
	const sockets = new Set<Socket>();
	let server: Server | undefined;
	let port = 0;

	const listen = () =>
		new Promise<void>((resolve, reject) => {
			const next = createServer((client) => {
				const upstream = createConnection(target);
				for (const socket of [client, upstream]) {
					sockets.add(socket);
					socket.on('close', () => sockets.delete(socket));
					socket.on('error', () => {
						client.destroy();
						upstream.destroy();
					});
				}
				client.pipe(upstream);
				upstream.pipe(client);
			});
			next.once('error', reject);
			next.listen(port, '127.0.0.1', () => {
				port = (next.address() as { port: number }).port;
				server = next;
				resolve();
			});
		});

	const stop = () =>
		new Promise<void>((resolve) => {
			if (!server) return resolve();
			const closing = server;
			server = undefined;
			closing.close(() => resolve());
			for (const socket of sockets) socket.destroy();
		});

	await listen();
	return {
		get port() {
			return port;
		},
		proxied(url: string) {
			const next = new URL(url);
			next.hostname = '127.0.0.1';
			next.port = String(port);
			return next.href;
		},
		cut: stop,
		restore: listen,
		close: stop
	};
}
