// Local stand-ins for GitHub and Google, to try "Continue with GitHub/Google" on `npm run dev`
// without registering an app or reaching the internet. They speak the real protocols (consent
// page, token endpoint, GitHub's user API, Google-like discovery, JWKS and signed ID tokens),
// the same servers the test suites use (tests/support/fake-upstreams.js).
//
//   node scripts/demo-upstreams.js            # then put the printed lines in .env and run npm run dev
//
// DEMO_GITHUB_PORT / DEMO_GOOGLE_PORT move them (defaults 3010 and 3011).
import { startFakeGitHub, startFakeOIDC } from '../tests/support/fake-upstreams.js';

const github = await startFakeGitHub({ port: Number(process.env.DEMO_GITHUB_PORT || 3010) });
const google = await startFakeOIDC({ port: Number(process.env.DEMO_GOOGLE_PORT || 3011), title: 'Fake Google' });
const lines = Object.entries({ ...github.env(), ...google.googleEnv() }).map(([name, value]) => `${name}=${value}`);
console.log(`Fake GitHub on ${github.url}, fake Google on ${google.url}. Add these lines to .env, then (re)start npm run dev:\n\n${lines.join('\n')}\n`);
console.log('On the sign-in page, "Continue with GitHub" opens the fake consent page: choose who you are and press Authorize. Ctrl+C stops.');
const stop = async () => {
	await Promise.all([github.close(), google.close()]);
	process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
