import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One message the development mailbox received. */
export interface MailboxMessage {
	id: string;
	receivedAt: Date;
	from: string;
	to: string[];
	subject: string;
	text: string;
	/** The HTML part as sent (shown only inside a sandboxed document: /dev/mailbox/[id]/html). */
	html: string;
}

export interface DevMailbox {
	/** `smtp://127.0.0.1:PORT`: the provider's mailer sends here like to any SMTP server. */
	smtpURL: string;
	/** Newest first. */
	messages(): MailboxMessage[];
	message(id: string): MailboxMessage | undefined;
}

/** Enough for a day of clicking through journeys; older messages fall off (memory stays bounded). */
export const MAILBOX_CAPACITY = 200;

const shared = globalThis as typeof globalThis & { __ssoDevMailbox?: Promise<DevMailbox> };

/**
 * The development mailbox: a real SMTP listener (smtp-server) on 127.0.0.1 at a free port,
 * keeping the last MAILBOX_CAPACITY messages in memory. One per process: kept on globalThis so
 * that hot reload under `vite dev` reuses the listener instead of opening another.
 */
export function startDevMailbox(): Promise<DevMailbox> {
	shared.__ssoDevMailbox ??= listen();
	return shared.__ssoDevMailbox;
}

async function listen(): Promise<DevMailbox> {
	const received: MailboxMessage[] = [];
	let sequence = 0;
	const server = new SMTPServer({
		// Loopback only, and nobody else's mail: no TLS to negotiate, no credentials to check.
		disabledCommands: ['STARTTLS', 'AUTH'],
		logger: false,
		size: 1024 * 1024,
		onData(stream, _session, callback) {
			simpleParser(stream)
				.then((parsed) => {
					const addresses = (value: typeof parsed.to) =>
						(Array.isArray(value) ? value : value ? [value] : []).flatMap((a) => a.value.map((v) => v.address ?? ''));
					received.unshift({
						id: `${Date.now().toString(36)}-${(++sequence).toString(36)}`,
						receivedAt: new Date(),
						from: parsed.from?.text ?? '',
						to: addresses(parsed.to),
						subject: parsed.subject ?? '(no subject)',
						text: parsed.text ?? '',
						html: typeof parsed.html === 'string' ? parsed.html : ''
					});
					received.length = Math.min(received.length, MAILBOX_CAPACITY);
					callback();
				})
				.catch((error: Error) => callback(error));
		}
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve());
	});
	const address = server.server.address();
	const port = typeof address === 'object' && address ? address.port : 0;
	return {
		smtpURL: `smtp://127.0.0.1:${port}`,
		messages: () => [...received],
		message: (id) => received.find((m) => m.id === id)
	};
}
