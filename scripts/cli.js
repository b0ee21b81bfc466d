// Operator commands (`npm run clients -- ...`, `npm run resources -- ...`, `npm run keys -- ...`). They use the app's own
// TypeScript modules, loaded through Vite so that `$lib` paths resolve exactly as in the app.
import { createServer } from 'vite';

const [command, ...args] = process.argv.slice(2);
const COMMANDS = {
	clients: '/src/lib/server/cli/clients.ts',
	resources: '/src/lib/server/cli/resources.ts',
	keys: '/src/lib/server/cli/keys.ts',
	cleanup: '/src/lib/server/cli/cleanup.ts'
};
if (!COMMANDS[command]) {
	console.error(`usage: node scripts/cli.js <${Object.keys(COMMANDS).join('|')}> ...`);
	process.exit(2);
}
const vite = await createServer({
	server: { middlewareMode: true, hmr: false, ws: false },
	appType: 'custom',
	logLevel: 'error',
	optimizeDeps: { noDiscovery: true, include: [] }
});
let exitCode;
try {
	const { main } = await vite.ssrLoadModule(COMMANDS[command]);
	exitCode = await main(args, process.env);
} catch (error) {
	console.error(error instanceof Error ? error.message : error);
	exitCode = 1;
} finally {
	await vite.close();
}
process.exit(exitCode);
