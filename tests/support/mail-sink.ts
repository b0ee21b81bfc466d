// Reads what the real SMTP listener (smtp-sink.js) received: one parsed message per .eml file.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { startMailSink } from './smtp-sink.js';

export { startMailSink };
export type MailSink = Awaited<ReturnType<typeof startMailSink>>;

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
	const files = readdirSync(dir)
		.filter((f) => f.endsWith('.eml'))
		.sort();
	return Promise.all(files.map((file) => parseMail(join(dir, file))));
}

async function parseMail(file: string): Promise<ReceivedMail> {
	const parsed = await simpleParser(readFileSync(file));
	const addresses = (value: typeof parsed.to) =>
		(Array.isArray(value) ? value : value ? [value] : []).flatMap((a) => a.value.map((v) => (v.address ?? '').toLowerCase()));
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
		const mail = (await allMail(dir)).filter(
			(m) => !seenFiles.has(m.file) && m.to.includes(to.toLowerCase()) && (!options.subject || options.subject.test(m.subject))
		);
		if (mail.length > 0) return mail[mail.length - 1];
		if (Date.now() > deadline) {
			const arrived = (await allMail(dir)).map((m) => `${m.to.join(',')}: ${m.subject}`);
			throw new Error(
				`no mail to ${to}${options.subject ? ` with subject ${options.subject}` : ''} after ${options.timeoutMs ?? 10_000} ms; arrived: ` +
					`${JSON.stringify(arrived)}`
			);
		}
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

/** Messages to `to` so far (for "no mail was sent" assertions after a grace period). */
export async function mailTo(dir: string, to: string): Promise<ReceivedMail[]> {
	return (await allMail(dir)).filter((m) => m.to.includes(to.toLowerCase()));
}
