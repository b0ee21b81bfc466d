// After `vite build`: make `node build` start all three origins through scripts/serve.js
// instead of adapter-node's single listener.
import { writeFileSync } from 'node:fs';

writeFileSync(
	new URL('../build/index.js', import.meta.url),
	"import { serve } from '../scripts/serve.js';\nawait serve(new URL('./handler.js', import.meta.url));\n"
);
console.log('build/index.js now starts scripts/serve.js (provider + demo sites)');
