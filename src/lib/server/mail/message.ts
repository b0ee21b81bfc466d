/** One email: a plain-text part and an HTML part that say the same thing. */
export interface MailMessage {
	to: string;
	subject: string;
	text: string;
	html: string;
}

export interface MailContent {
	to: string;
	subject: string;
	/** Short heading: what this mail is about. */
	heading: string;
	/** Paragraphs of plain text (escaped in the HTML part). */
	paragraphs: string[];
	/** The one thing to do, as a link (the URL is shown in full in the text part). */
	action?: { label: string; url: string };
	/** Why the person got this mail and what to do if it was not them. */
	footer: string;
}

/**
 * The provider's mails share one shape: a heading, a few paragraphs, at most one link, and a
 * footer naming the provider and the reason. The HTML part is a single column of semantic
 * elements (a real heading, a real link with its text, `lang`), readable by screen readers and
 * by clients that block styles; it never carries more than the text part does.
 */
export function composeMail(serviceName: string, content: MailContent): MailMessage {
	const { to, subject, heading, paragraphs, action, footer } = content;
	const text = [
		heading,
		'',
		...paragraphs.flatMap((p) => [p, '']),
		...(action ? [`${action.label}:`, action.url, ''] : []),
		'--',
		`${serviceName}: ${footer}`
	].join('\n');
	const html = [
		'<!doctype html>',
		'<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">',
		`<title>${escapeHTML(subject)}</title></head>`,
		'<body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a;max-width:36rem;margin:0 auto;padding:1rem">',
		`<h1 style="font-size:1.3rem">${escapeHTML(heading)}</h1>`,
		...paragraphs.map((p) => `<p>${escapeHTML(p)}</p>`),
		...(action
			? [
					`<p><a href="${escapeHTML(action.url)}" ` +
						`style="display:inline-block;padding:.6rem 1rem;background:#1d4ed8;color:#fff;border-radius:.4rem;text-decoration:none">` +
						`${escapeHTML(action.label)}</a></p>`,
					`<p style="font-size:.9rem">If the button does not work, copy this address into your browser:<br>${escapeHTML(action.url)}</p>`
				]
			: []),
		`<hr><p style="font-size:.85rem;color:#4a4a4a">${escapeHTML(serviceName)}: ${escapeHTML(footer)}</p>`,
		'</body></html>'
	].join('\n');
	return { to, subject, text, html };
}

function escapeHTML(value: string): string {
	return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
