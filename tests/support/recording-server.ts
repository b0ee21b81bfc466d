// A loopback HTTP listener that records every request it gets and answers 200: a stand-in
// for a relying party's back-channel endpoint (or for a service an attacker would like the
// provider to reach). It listens on 127.0.0.1 only, on a port the system picks.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { testPortOffset } from './production-server';

export interface RecordedRequest {
	method: string;
	url: string;
	host: string | undefined;
	contentType: string | undefined;
	body: string;
}

export interface RecordingServer {
	/** http://127.0.0.1:PORT */
	url: string;
	port: number;
	requests: RecordedRequest[];
	close(): Promise<void>;
}

export async function startRecordingServer(): Promise<RecordingServer> {
	const requests: RecordedRequest[] = [];
	const server = createServer((req, res) => {
		let body = '';
		req.on('data', (chunk) => (body += chunk));
		req.on('end', () => {
			requests.push({ method: req.method!, url: req.url!, host: req.headers.host, contentType: req.headers['content-type'], body });
			res.writeHead(200).end();
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const port = (server.address() as AddressInfo).port;
	return {
		url: `http://127.0.0.1:${port}`,
		port,
		requests,
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			})
	};
}

/**
 * A port for a production server a security test starts itself: 4340-4349, plus
 * testPortOffset() (which keeps the two projects apart). `slot` picks one within that share.
 */
export function securityTestPort(slot: number): number {
	return 4340 + slot + testPortOffset();
}

/** `name=value` of the provider's session cookie, whatever prefix (`__Host-`) it carries. */
export function providerSessionCookie(response: Response): string {
	for (const raw of response.headers.getSetCookie()) {
		const [pair] = raw.split(';');
		const name = pair.slice(0, pair.indexOf('='));
		if (/op_session$/.test(name)) return pair.trim();
	}
	throw new Error(`no provider session cookie in ${JSON.stringify(response.headers.getSetCookie())}`);
}
