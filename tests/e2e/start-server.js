// The end-to-end suite's web server (playwright.config.ts `webServer.command`): a real SMTP
// listener for the provider's mail, then the production build (`node build`) sending to it.
// Specs read the mail from E2E_MAIL_DIR (tests/e2e/mail.ts).
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startMailSink } from '../support/smtp-sink.js';

const dir = process.env.E2E_MAIL_DIR;
if (!dir) throw new Error('E2E_MAIL_DIR is not set (playwright.config.ts sets it)');
const sink = await startMailSink(dir);
process.env.SMTP_URL = sink.url;
console.log(`[e2e] mail for the provider goes to ${sink.url}, written to ${dir}`);
await import(pathToFileURL(join(resolve(import.meta.dirname, '../..'), 'build/index.js')).href);
