// A real SMTP listener (the `smtp-server` package) for tests: the server under test sends
// through nodemailer to it exactly as it would to a mail provider. Every message is written
// to a directory as it arrived (.eml), so that a test in another process (vitest workers,
// Playwright specs) can read what was sent with readMail().
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface MailSink {
	/** SMTP_URL for the server under test. */
	url: string;
	/** Where the messages are written, one .eml file each. */
	dir: string;
	stop(): Promise<void>;
}

/** Starts the listener on 127.0.0.1 (`port` 0: any free port). */
export async function startMailSink(dir: string, port = 0): Promise<MailSink> {
	mkdirSync(dir, { recursive: true });
	let sequence = 0;
	const server = new SMTPServer({
		// A local sink: no TLS to negotiate and no credentials to check.
		disabledCommands: ['STARTTLS', 'AUTH'],
		logger: false,
		onData(stream, _session, callback) {
			const chunks: Buffer[] = [];
			stream.on('data', (chunk: Buffer) => chunks.push(chunk));
			stream.on('end', () => {
				const name = `${Date.now().toString().padStart(15, '0')}-${String(++sequence).padStart(6, '0')}.eml`;
				writeFileSync(join(dir, name), Buffer.concat(chunks));
				callback();
			});
		}
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, '127.0.0.1', () => resolve());
	});
	const address = server.server.address();
	const actualPort = typeof address === 'object' && address ? address.port : port;
	return {
		url: `smtp://127.0.0.1:${actualPort}`,
		dir,
		stop: () => new Promise<void>((resolve) => server.close(() => resolve()))
	};
}

export interface ReceivedMail {
	file: string;
	to: string[];
	from: string;
	subject: string;
	text: string;
	html: string;
	/** Every http(s) URL in the text part, in order. */
	links: string[];
}

/** Every message in the directory, oldest first. */
export async function allMail(dir: string): Promise<ReceivedMail[]> {
	if (!existsSync(dir)) return [];
	const files = readdirSync(dir).filter((f) => f.endsWith('.eml')).sort();
	return Promise.all(files.map((file) => parseMail(join(dir, file))));
}

async function parseMail(file: string): Promise<ReceivedMail> {
	const parsed = await simpleParser(readFileSync(file));
	const addresses = (value: typeof parsed.to) => (Array.isArray(value) ? value : value ? [value] : []).flatMap((a) => a.value.map((v) => (v.address ?? '').toLowerCase()));
	const text = parsed.text ?? '';
	return {
		file,
		to: addresses(parsed.to),
		from: parsed.from?.text ?? '',
		subject: parsed.subject ?? '',
		text,
		html: typeof parsed.html === 'string' ? parsed.html : '',
		links: [...text.matchAll(/https?:\/\/[^\s<>"]+/g)].map((m) => m[0])
	};
}

/**
 * Waits for a message to `to` (and matching `subject`, when given) that was not in `seen`;
 * fails after `timeoutMs` listing what did arrive. Mail is sent in the background, so it can
 * arrive a moment after the response.
 */
export async function readMail(dir: string, to: string, options: { subject?: RegExp; seen?: ReceivedMail[]; timeoutMs?: number } = {}): Promise<ReceivedMail> {
	const deadline = Date.now() + (options.timeoutMs ?? 10_000);
	const seenFiles = new Set((options.seen ?? []).map((m) => m.file));
	for (;;) {
		const mail = (await allMail(dir)).filter((m) => !seenFiles.has(m.file) && m.to.includes(to.toLowerCase()) && (!options.subject || options.subject.test(m.subject)));
		if (mail.length > 0) return mail[mail.length - 1];
		if (Date.now() > deadline) {
			const arrived = (await allMail(dir)).map((m) => `${m.to.join(',')}: ${m.subject}`);
			throw new Error(`no mail to ${to}${options.subject ? ` with subject ${options.subject}` : ''} after ${options.timeoutMs ?? 10_000} ms; arrived: ${JSON.stringify(arrived)}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

/** Messages to `to` so far (for "no mail was sent" assertions after a grace period). */
export async function mailTo(dir: string, to: string): Promise<ReceivedMail[]> {
	return (await allMail(dir)).filter((m) => m.to.includes(to.toLowerCase()));
}
