import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { devMailbox } from '$lib/server/mail/instance';

export const load: PageServerLoad = async ({ setHeaders }) => {
	const mailbox = await devMailbox();
	if (!mailbox) error(404, 'Not Found');
	setHeaders({ 'cache-control': 'no-store' });
	return { messages: mailbox.messages().map(({ id, to, subject, receivedAt }) => ({ id, to, subject, receivedAt: receivedAt.toISOString() })) };
};
