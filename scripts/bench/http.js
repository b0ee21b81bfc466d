// The load generator's HTTP client: node:http on a keep-alive Agent (measured on the 2-core box
// against a bare node:http server: ~35 µs of client CPU per request, against 140-190 µs with
// fetch/undici), so the client takes as little as possible of the CPU it shares with the server.
import http from 'node:http';

/** One request on a keep-alive agent; the body is read fully (as a string unless `discard`). */
export function request(agent, url, { method = 'GET', headers = {}, body, discard = false } = {}) {
	return new Promise((resolvePromise, reject) => {
		const req = http.request(url, { method, agent, headers }, (res) => {
			if (discard) {
				let length = 0;
				res.on('data', (chunk) => (length += chunk.length));
				res.on('end', () => resolvePromise({ status: res.statusCode, headers: res.headers, length }));
			} else {
				res.setEncoding('utf8');
				let text = '';
				res.on('data', (chunk) => (text += chunk));
				res.on('end', () => resolvePromise({ status: res.statusCode, headers: res.headers, body: text }));
			}
			res.on('error', reject);
		});
		req.on('error', reject);
		req.end(body);
	});
}

export function newAgent(maxSockets) {
	return new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' });
}

/** The `name=value` pairs of Set-Cookie headers, merged into `jar` (a Map) and returned as a Cookie header. */
export function collectCookies(jar, setCookie) {
	for (const line of [].concat(setCookie ?? [])) {
		const pair = line.split(';')[0];
		const eq = pair.indexOf('=');
		if (eq > 0) jar.set(pair.slice(0, eq), pair.slice(eq + 1));
	}
	return [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
}
