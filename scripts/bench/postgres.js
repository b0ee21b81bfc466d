// A fresh Postgres database per measured server, dropped afterwards.
import postgres from 'postgres';
import { onCleanup } from './cleanups.js';

/**
 * Creates `bench_<time>_<pid>_<label>` on the server at `baseURL`. backendPids() lists the
 * backends connected to it (pg_stat_activity), whose CPU is "postgres CPU" for that server.
 */
export async function createPostgresDatabase(baseURL, label) {
	const name = `bench_${Date.now().toString(36)}_${process.pid}_${label}`;
	// One admin connection per database: create, find its backends, drop.
	const admin = postgres(baseURL, { max: 1, onnotice: () => {} });
	await admin.unsafe(`create database "${name}"`);
	const url = new URL(baseURL);
	url.pathname = `/${name}`;
	const backendPids = async () => (await admin`select pid from pg_stat_activity where datname = ${name}`).map((r) => r.pid);
	const drop = async () => {
		try {
			await admin.unsafe(`drop database if exists "${name}" with (force)`);
		} finally {
			await admin.end();
		}
		console.log(`bench: dropped database ${name}`);
	};
	onCleanup(drop);
	return { name, url: url.href, drop, backendPids };
}
