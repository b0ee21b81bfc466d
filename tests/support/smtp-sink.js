// A real SMTP listener (the `smtp-server` package) for tests: the server under test sends
// through nodemailer to it exactly as it would to a mail provider. Every message is written
// to a directory as it arrived (.eml), so that a test in another process (vitest workers,
// Playwright specs) can read what was sent (mail-sink.ts readMail). Plain JavaScript so that
// the end-to-end launcher (tests/e2e/start-server.js) can run it without a build step.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';

/**
 * Starts the listener on 127.0.0.1 (`port` 0: any free port).
 * @param {string} dir where the messages are written, one .eml file each
 * @param {number} [port]
 * @returns {Promise<{ url: string, dir: string, stop: () => Promise<void> }>} `url` is the SMTP_URL for the server under test
 */
export async function startMailSink(dir, port = 0) {
	mkdirSync(dir, { recursive: true });
	let sequence = 0;
	const server = new SMTPServer({
		// A local sink: no TLS to negotiate and no credentials to check.
		disabledCommands: ['STARTTLS', 'AUTH'],
		logger: false,
		onData(stream, _session, callback) {
			/** @type {Buffer[]} */
			const chunks = [];
			stream.on('data', (chunk) => chunks.push(chunk));
			stream.on('end', () => {
				const name = `${Date.now().toString().padStart(15, '0')}-${String(++sequence).padStart(6, '0')}.eml`;
				writeFileSync(join(dir, name), Buffer.concat(chunks));
				callback();
			});
		}
	});
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, '127.0.0.1', () => resolve(undefined));
	});
	const address = server.server.address();
	const actualPort = typeof address === 'object' && address ? address.port : port;
	return {
		url: `smtp://127.0.0.1:${actualPort}`,
		dir,
		stop: () => new Promise((resolve) => server.close(() => resolve(undefined)))
	};
}
