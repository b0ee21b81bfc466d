import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { devMailbox } from '$lib/server/mail/instance';

/**
 * The HTML part as the mail client would show it, made harmless by CSP `sandbox` (a unique
 * origin, no scripts, no forms: it cannot act on the provider's cookies) and no outside
 * requests (tracking pixels, remote styles). Its links still navigate.
 */
export const GET: RequestHandler = async ({ params }) => {
	const mailbox = await devMailbox();
	const message = mailbox?.message(params.id);
	if (!message?.html) error(404, 'Not Found');
	return new Response(message.html, {
		headers: {
			'content-type': 'text/html; charset=utf-8',
			'cache-control': 'no-store',
			'content-security-policy': [
				'sandbox allow-top-navigation-by-user-activation allow-popups allow-popups-to-escape-sandbox',
				"default-src 'none'",
				"style-src 'unsafe-inline'",
				'img-src data:'
			].join('; ')
		}
	});
};
