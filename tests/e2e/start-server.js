// The end-to-end suite's web server (playwright.config.ts `webServer.command`): a real SMTP
// listener for the provider's mail, local stand-ins for GitHub and Google that speak their real
// protocols (tests/support/fake-upstreams.js), then the production build (`node build`) sending
// its mail to the listener and its upstream sign-ins to the stand-ins.
// Specs read the mail from E2E_MAIL_DIR (tests/e2e/mail.ts).
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startFakeGitHub, startFakeOIDC } from '../support/fake-upstreams.js';
import { startMailSink } from '../support/smtp-sink.js';

const dir = process.env.E2E_MAIL_DIR;
if (!dir) throw new Error('E2E_MAIL_DIR is not set (playwright.config.ts sets it)');
const sink = await startMailSink(dir);
process.env.SMTP_URL = sink.url;
console.log(`[e2e] mail for the provider goes to ${sink.url}, written to ${dir}`);

const github = await startFakeGitHub();
const google = await startFakeOIDC({ title: 'Fake Google' });
Object.assign(process.env, github.env(), google.googleEnv(), { UPSTREAM_TIMEOUT_SECONDS: '5' });
console.log(`[e2e] fake GitHub on ${github.url}, fake Google on ${google.url}`);

await import(pathToFileURL(join(resolve(import.meta.dirname, '../..'), 'build/index.js')).href);
