import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { devMailbox } from '$lib/server/mail/instance';

/** The text part cut into plain text and http(s) links, so the page can make the links clickable (and escape the rest). */
function linkify(text: string): { text: string; href?: string }[] {
	const parts: { text: string; href?: string }[] = [];
	let last = 0;
	for (const match of text.matchAll(/https?:\/\/[^\s<>"]+/g)) {
		if (match.index > last) parts.push({ text: text.slice(last, match.index) });
		parts.push({ text: match[0], href: match[0] });
		last = match.index + match[0].length;
	}
	if (last < text.length) parts.push({ text: text.slice(last) });
	return parts;
}

export const load: PageServerLoad = async ({ params, setHeaders }) => {
	const mailbox = await devMailbox();
	const message = mailbox?.message(params.id);
	if (!message) error(404, 'Not Found');
	setHeaders({ 'cache-control': 'no-store' });
	return {
		message: {
			id: message.id,
			from: message.from,
			to: message.to,
			subject: message.subject,
			receivedAt: message.receivedAt.toISOString(),
			hasHTML: message.html !== ''
		},
		body: linkify(message.text)
	};
};
