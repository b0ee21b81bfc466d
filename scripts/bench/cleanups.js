// Every server the bench starts and every database it creates goes away, even on Ctrl-C.

const cleanups = [];

export function onCleanup(fn) {
	cleanups.push(fn);
}

/** A mark to pass to runCleanups: undoes only what was registered after it. */
export function cleanupMark() {
	return cleanups.length;
}

export async function runCleanups(mark = 0) {
	while (cleanups.length > mark) {
		try {
			await cleanups.pop()();
		} catch (error) {
			console.error(`bench: clean-up failed: ${error.message}`);
		}
	}
}

for (const signal of ['SIGINT', 'SIGTERM']) {
	process.once(signal, async () => {
		console.error(`\nbench: ${signal}, cleaning up`);
		await runCleanups();
		process.exit(130);
	});
}
