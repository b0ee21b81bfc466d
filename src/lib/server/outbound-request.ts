import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { classifyAddress } from './ip-address';

/**
 * Requests to URIs that someone registered (back-channel logout today) are request forgery
 * waiting to happen: the provider sits inside a network the registrant cannot reach. These
 * rules decide where such a request may go (ARCHITECTURE.md "Outbound HTTP").
 */
export interface OutboundPolicy {
	/** Loopback targets are allowed only when the provider itself runs on loopback (development, the demo sites). */
	allowLoopback: boolean;
	/** Hosts (`name` or `name:port`, lower case) an operator trusts: sent to whatever they resolve to. */
	allowedHosts: ReadonlySet<string>;
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The policy for a provider at `issuer`, with the operator's allow-list (OUTBOUND_ALLOWED_HOSTS). */
export function outboundPolicy(issuer: string, allowedHosts: Iterable<string> = []): OutboundPolicy {
	const hostname = new URL(issuer).hostname;
	const allowLoopback = LOOPBACK_NAMES.has(hostname) || classifyAddress(hostname) === 'loopback';
	return { allowLoopback, allowedHosts: new Set([...allowedHosts].map((h) => h.trim().toLowerCase()).filter(Boolean)) };
}

export class OutboundRequestRefused extends Error {}

export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

function isAllowListed(url: URL, policy: OutboundPolicy): boolean {
	return policy.allowedHosts.has(url.hostname.toLowerCase()) || policy.allowedHosts.has(url.host.toLowerCase());
}

/** Why an address may not be contacted under `policy`, or null when it may. */
export function addressRefusal(address: string, policy: OutboundPolicy): string | null {
	const kind = classifyAddress(address);
	if (kind === null) return `${address} is not an IP address`;
	if (kind === 'global' || (kind === 'loopback' && policy.allowLoopback)) return null;
	return `${address} is a ${kind} address`;
}

function parseTarget(uri: string): URL {
	let url: URL;
	try {
		url = new URL(uri);
	} catch {
		throw new OutboundRequestRefused(`"${uri}" is not a URL`);
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new OutboundRequestRefused(`${url.protocol} URIs are not requested`);
	if (url.username || url.password) throw new OutboundRequestRefused('URIs with credentials are not requested');
	return url;
}

async function resolveWithin(resolve: Resolver, hostname: string, timeoutMs: number): Promise<{ address: string; family: number }[]> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new Error(`resolving ${hostname} took longer than ${timeoutMs} ms`)), timeoutMs);
	});
	try {
		return await Promise.race([resolve(hostname), timeout]);
	} finally {
		clearTimeout(timer);
	}
}

/**
 * Registration-time check (the first of two): refuses a URI whose host is a refused address
 * literal or resolves to one. A host that does not resolve (yet) is accepted: every request
 * checks again at send time, where DNS may also have changed since.
 */
export async function checkRegisteredURI(uri: string, policy: OutboundPolicy, resolve: Resolver = systemResolver): Promise<void> {
	const url = parseTarget(uri);
	if (isAllowListed(url, policy)) return;
	const literal = classifyAddress(url.hostname);
	if (literal !== null) {
		const why = addressRefusal(url.hostname, policy);
		if (why) throw new OutboundRequestRefused(why);
		return;
	}
	let addresses: { address: string }[];
	try {
		addresses = await resolveWithin(resolve, url.hostname, 2000);
	} catch {
		return;
	}
	for (const { address } of addresses) {
		const why = addressRefusal(address, policy);
		if (why) throw new OutboundRequestRefused(`${url.hostname} resolves to ${why}`);
	}
}

/**
 * Send-time check: resolves the host and checks EVERY address it has (an attacker's DNS can
 * answer one public and one private address), returning the one to connect to.
 */
export async function resolveOutboundTarget(url: URL, policy: OutboundPolicy, resolve: Resolver = systemResolver): Promise<{ address: string; family: 4 | 6 }> {
	const literal = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
	const allowListed = isAllowListed(url, policy);
	const addresses =
		classifyAddress(literal) !== null ? [{ address: literal, family: literal.includes(':') ? 6 : 4 }] : await resolveWithin(resolve, url.hostname, 2000);
	if (addresses.length === 0) throw new OutboundRequestRefused(`${url.hostname} has no address`);
	if (!allowListed) {
		for (const { address } of addresses) {
			const why = addressRefusal(address, policy);
			if (why) throw new OutboundRequestRefused(`refused to contact ${url.hostname}: ${why}`);
		}
	}
	const [first] = addresses;
	return { address: first.address, family: first.family === 6 ? 6 : 4 };
}

export interface OutboundLimits {
	/** Until the TCP (and TLS) connection is up. */
	connectTimeoutMs: number;
	/** For the whole exchange, response included. */
	totalTimeoutMs: number;
	/** Response bodies are read (and dropped) up to this size; a longer one is cut off. */
	maxResponseBytes: number;
}

export const DEFAULT_OUTBOUND_LIMITS: OutboundLimits = { connectTimeoutMs: 2000, totalTimeoutMs: 5000, maxResponseBytes: 16 * 1024 };

/** The outcome of a request that was sent: the status code, nothing else is trusted. */
export interface OutboundResponse {
	status: number;
}

/** A form POST to a registered URI; the seam tests replace. */
export type OutboundFormPOST = (uri: string, form: URLSearchParams) => Promise<OutboundResponse>;

/**
 * POSTs a form to a registered URI under `policy`: resolves and checks every address, then
 * connects to the checked address only (the `lookup` option pins it; Host and TLS SNI keep
 * the name), follows no redirect (a 3xx is just a status), and gives up after the limits.
 */
export async function postFormToRegisteredURI(
	uri: string,
	form: URLSearchParams,
	policy: OutboundPolicy,
	options: { limits?: OutboundLimits; resolve?: Resolver } = {}
): Promise<OutboundResponse> {
	const limits = options.limits ?? DEFAULT_OUTBOUND_LIMITS;
	const url = parseTarget(uri);
	const target = await resolveOutboundTarget(url, policy, options.resolve);
	// Node asks with `all: true` when it tries several addresses (autoSelectFamily): one answer either way.
	const pinned: LookupFunction = (_hostname, lookupOptions, callback) => {
		if (lookupOptions.all) (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [target]);
		else callback(null, target.address, target.family);
	};
	const body = Buffer.from(form.toString());
	const requestOptions: RequestOptions = {
		method: 'POST',
		hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
		port: url.port || undefined,
		path: `${url.pathname}${url.search}`,
		headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(body.length), accept: 'application/json' },
		lookup: pinned,
		agent: false
	};
	const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
	return new Promise<OutboundResponse>((resolvePromise, reject) => {
		const request = send(requestOptions);
		const total = setTimeout(() => request.destroy(new Error(`no answer within ${limits.totalTimeoutMs} ms`)), limits.totalTimeoutMs);
		request.on('socket', (socket) => {
			if (!socket.connecting) return;
			const connect = setTimeout(() => request.destroy(new Error(`could not connect within ${limits.connectTimeoutMs} ms`)), limits.connectTimeoutMs);
			socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => clearTimeout(connect));
			socket.once('close', () => clearTimeout(connect));
		});
		request.on('error', (error) => {
			clearTimeout(total);
			reject(error);
		});
		request.on('response', (response: IncomingMessage) => {
			let received = 0;
			const finish = () => {
				clearTimeout(total);
				resolvePromise({ status: response.statusCode ?? 0 });
			};
			response.on('data', (chunk: Buffer) => {
				received += chunk.length;
				// The body is never used: stop reading a large one rather than buffering it.
				if (received > limits.maxResponseBytes) {
					finish();
					request.destroy();
				}
			});
			response.on('end', finish);
			response.on('error', finish);
			response.on('close', finish);
		});
		request.end(body);
	});
}

/** Runs `task` over `items` with at most `limit` running at once; results keep the items' order. */
export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
	const results = new Array<R>(items.length);
	let next = 0;
	const worker = async () => {
		while (next < items.length) {
			const index = next++;
			results[index] = await task(items[index]);
		}
	};
	await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
	return results;
}
