import { eq, inArray } from 'drizzle-orm';
import type { Database } from '../db';
import { resourceServers } from '../db/schema';
import { SUPPORTED_SCOPES } from './claims';

/** An API the provider issues access tokens for (RFC 8707 §2: its identifier is the token's `aud`). */
export interface ResourceServer {
	/** The resource identifier: an absolute URI without a fragment (RFC 8707 §2). */
	id: string;
	name: string;
	/** The API scopes it defines; no other API scope exists. */
	scopes: string[];
}

// RFC 6749 §3.3 scope-token: printable ASCII except space, '"' and '\'.
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]{1,64}$/;

/** RFC 8707 §2: an absolute URI, no fragment (a query is discouraged and refused here too). */
export function isResourceIdentifier(value: unknown): value is string {
	if (typeof value !== 'string' || value.length > 512) return false;
	try {
		const url = new URL(value);
		return !value.includes('#') && !url.search && (url.protocol === 'https:' || url.protocol === 'http:' || url.protocol === 'urn:');
	} catch {
		return false;
	}
}

/**
 * Checks an operator's declaration of a resource server; throws an Error that says what is
 * wrong (the CLI and the RESOURCE_SERVERS setting print it).
 */
export function parseResourceServer(value: unknown): ResourceServer {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('a resource server is an object {"id", "name", "scopes"}');
	const { id, name, scopes } = value as Record<string, unknown>;
	if (!isResourceIdentifier(id))
		throw new Error(`resource server id ${JSON.stringify(id)} must be an absolute https:, http: or urn: URI without query or fragment`);
	if (typeof name !== 'string' || !name.trim() || name.length > 100)
		throw new Error(`resource server ${id}: name must be a non-empty string of at most 100 characters`);
	const list = scopes ?? [];
	if (!Array.isArray(list) || list.some((s) => typeof s !== 'string' || !SCOPE_TOKEN.test(s))) {
		throw new Error(`resource server ${id}: scopes must be an array of scope tokens (RFC 6749 §3.3)`);
	}
	// OIDC scopes are about the user, released by the provider itself; an API cannot own them.
	const oidc = list.find((s) => SUPPORTED_SCOPES.includes(s));
	if (oidc) throw new Error(`resource server ${id}: "${oidc}" is an OpenID Connect scope, not an API scope`);
	return { id, name: name.trim(), scopes: [...new Set(list as string[])] };
}

/** The RESOURCE_SERVERS setting: a JSON array of resource servers. */
export function parseResourceServersSetting(json: string | undefined): ResourceServer[] {
	if (!json?.trim()) return [];
	let value: unknown;
	try {
		value = JSON.parse(json);
	} catch {
		throw new Error('RESOURCE_SERVERS is not valid JSON (expected [{"id":"https://api.example.com","name":"Example API","scopes":["read"]}])');
	}
	if (!Array.isArray(value)) throw new Error('RESOURCE_SERVERS must be a JSON array of {"id", "name", "scopes"}');
	try {
		return value.map(parseResourceServer);
	} catch (error) {
		throw new Error(`RESOURCE_SERVERS: ${(error as Error).message}`, { cause: error });
	}
}

/** Declares a resource server, or replaces the declaration with the same identifier. */
export async function saveResourceServer(db: Database, server: ResourceServer, now = new Date()): Promise<void> {
	const values = { name: server.name, scopes: server.scopes };
	await db
		.insert(resourceServers)
		.values({ id: server.id, ...values, createdAt: now })
		.onConflictDoUpdate({ target: resourceServers.id, set: values });
}

export async function listResourceServers(db: Database): Promise<ResourceServer[]> {
	return db.select({ id: resourceServers.id, name: resourceServers.name, scopes: resourceServers.scopes }).from(resourceServers).orderBy(resourceServers.id);
}

export async function findResourceServers(db: Database, ids: string[]): Promise<ResourceServer[]> {
	if (ids.length === 0) return [];
	return db
		.select({ id: resourceServers.id, name: resourceServers.name, scopes: resourceServers.scopes })
		.from(resourceServers)
		.where(inArray(resourceServers.id, ids));
}

export async function removeResourceServer(db: Database, id: string): Promise<boolean> {
	const removed = await db.delete(resourceServers).where(eq(resourceServers.id, id)).returning({ id: resourceServers.id });
	return removed.length > 0;
}

/**
 * Checks that an access policy names only declared resource servers and scopes those servers
 * define (for the CLI and initial access tokens); throws an Error naming the first problem.
 */
export async function checkAccessPolicy(db: Database, scopes: string[], resources: string[]): Promise<void> {
	const found = await findResourceServers(db, resources);
	const missing = resources.find((r) => !found.some((s) => s.id === r));
	if (missing) throw new Error(`no resource server ${missing} (declare it with npm run resources -- add)`);
	const undefinedScope = scopes.find((scope) => !found.some((s) => s.scopes.includes(scope)));
	if (undefinedScope) throw new Error(`scope "${undefinedScope}" is not defined by any of the allowed resources (${resources.join(', ') || 'none'})`);
}

/**
 * Declares the RESOURCE_SERVERS of the configuration at start (each one replaces a declaration
 * with its identifier; others are left alone). A malformed setting stops the start with a
 * message saying what is wrong. Returns the identifiers declared, for the start-up log.
 */
export async function applyResourceServersSetting(db: Database, json: string | undefined, now = new Date()): Promise<string> {
	const servers = parseResourceServersSetting(json);
	for (const server of servers) await saveResourceServer(db, server, now);
	return servers.map((s) => s.id).join(', ');
}
