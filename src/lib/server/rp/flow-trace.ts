import { decodeJwt, decodeProtectedHeader } from 'jose';

/**
 * The flow inspector's record of one flow a demo site took part in: each HTTP exchange in
 * order, the token it verified (decoded) and each check it made. Everything here is shown to
 * the site session's owner, so secrets are redacted when recorded, never when shown.
 */
export type Party = 'browser' | 'site' | 'provider';
export type FlowKind = 'sign-in' | 'api-call' | 'sign-out' | 'back-channel-logout';

export interface FlowField {
	name: string;
	value: string;
	/** One line on what the field is for. */
	note?: string;
}

export interface FlowStep {
	from: Party;
	to: Party;
	/** Short label on the arrow (`GET /api/auth/authorize`, `200 OK`). */
	label: string;
	/** URL without its query (the query is in `fields`). */
	url?: string;
	/** Query parameters, form fields, JSON members or headers worth showing, in wire order. */
	fields: FlowField[];
	/** Why this step happens, or what the site did. */
	note?: string;
	/** False for exchanges the site cannot see (between the browser and the provider). */
	seenBySite: boolean;
}

export type CheckResult = 'passed' | 'failed' | 'not-checked' | 'not-applicable';

export interface FlowCheck {
	id: string;
	name: string;
	result: CheckResult;
	/** What was compared, e.g. `iss = http://localhost:3000 (expected http://localhost:3000)`. */
	detail: string;
	spec: string;
	specURL: string;
	/** What an attacker could do if the site skipped this check. */
	withoutIt: string;
}

export interface DecodedToken {
	/** `ID token`, `logout token`, `session JWT`. */
	label: string;
	header: Record<string, unknown>;
	payload: Record<string, unknown>;
	/** The compact JWT, only for the ID token (the page teaches it; it is not a bearer credential). */
	raw?: string;
}

export interface FlowTrace {
	kind: FlowKind;
	title: string;
	recordedAt: string;
	outcome: 'succeeded' | 'failed';
	/** One sentence: what happened (or why it failed). */
	summary: string;
	steps: FlowStep[];
	token?: DecodedToken;
	checks: FlowCheck[];
	/** Set when the record was cut to fit the size bound. */
	truncated?: boolean;
}

/** Characters of a secret kept visible: enough to tell two values apart, not to use one. */
export const REDACTED_PREFIX_LENGTH = 6;

/**
 * `abcdef… (redacted, 43 characters)`: a secret's prefix and length, never the secret. A short
 * value shows at most a quarter of itself, so no value is ever shown whole.
 */
export function redact(secret: string): string {
	const shown = Math.min(REDACTED_PREFIX_LENGTH, Math.floor(secret.length / 4));
	return `${secret.slice(0, shown)}… (redacted, ${secret.length} characters)`;
}

/** The secret is not shown at all (a client secret: even a prefix narrows a guess). */
export function hidden(secret: string): string {
	return `(hidden, ${secret.length} characters)`;
}

/** Form, query and JSON members whose values are credentials: shown as a prefix or not at all. */
const REDACT_TO_PREFIX = new Set(['code', 'code_verifier', 'access_token', 'refresh_token', 'id_token_hint', 'logout_token', 'state', 'nonce']);
const HIDE = new Set(['client_secret', 'password']);

/**
 * A field's value as recorded. `state` and `nonce` are spent when shown but are still cut to a
 * prefix: the page must never be a place to copy a live value from.
 */
export function recordedValue(name: string, value: string): string {
	if (HIDE.has(name)) return hidden(value);
	if (REDACT_TO_PREFIX.has(name)) return redact(value);
	return value;
}

/** The header and payload of a JWT without verifying it (the checks say whether to trust it). */
export function decodeToken(label: string, token: string, options: { keepRaw?: boolean } = {}): DecodedToken | undefined {
	try {
		return { label, header: { ...decodeProtectedHeader(token) }, payload: { ...decodeJwt(token) }, ...(options.keepRaw ? { raw: token } : {}) };
	} catch {
		return undefined;
	}
}

/** A flow's recorder. Routes and rp/ modules call it as the flow happens; `finish()` gives the record. */
export class FlowRecorder {
	readonly steps: FlowStep[] = [];
	readonly checks: FlowCheck[] = [];
	token: DecodedToken | undefined;

	constructor(
		readonly kind: FlowKind,
		readonly title: string,
		private readonly now: () => Date = () => new Date()
	) {}

	step(step: Omit<FlowStep, 'fields' | 'seenBySite'> & { fields?: FlowField[]; seenBySite?: boolean }): void {
		this.steps.push({ ...step, fields: step.fields ?? [], seenBySite: step.seenBySite ?? true });
	}

	/** A request with its query parameters redacted and explained (`notes` by parameter name). */
	request(
		from: Party,
		to: Party,
		method: string,
		url: URL | string,
		options: { notes?: Record<string, string>; note?: string; seenBySite?: boolean; extra?: FlowField[] } = {}
	): void {
		const parsed = new URL(url);
		const fields = [...parsed.searchParams].map(([name, value]) => ({ name, value: recordedValue(name, value), note: options.notes?.[name] }));
		this.step({
			from,
			to,
			label: `${method} ${parsed.pathname}`,
			url: `${parsed.origin}${parsed.pathname}`,
			fields: [...fields, ...(options.extra ?? [])],
			note: options.note,
			seenBySite: options.seenBySite
		});
	}

	check(check: FlowCheck): void {
		this.checks.push(check);
	}

	finish(outcome: FlowTrace['outcome'], summary: string): FlowTrace {
		return {
			kind: this.kind,
			title: this.title,
			recordedAt: this.now().toISOString(),
			outcome,
			summary,
			steps: this.steps,
			...(this.token ? { token: this.token } : {}),
			checks: this.checks
		};
	}
}

/** The most one flow may take in the database (UTF-8 bytes of its JSON). */
export const MAX_TRACE_BYTES = 64 * 1024;
const MAX_FIELD_CHARS = 512;

const byteLength = (trace: FlowTrace) => new TextEncoder().encode(JSON.stringify(trace)).length;

/**
 * Keeps a record within MAX_TRACE_BYTES, whatever a provider put in its responses: long
 * values are cut first, then the raw token, then the decoded token; the steps and checks,
 * which the page is about, go last.
 */
export function boundTrace(trace: FlowTrace, maxBytes = MAX_TRACE_BYTES): FlowTrace {
	if (byteLength(trace) <= maxBytes) return trace;
	const cut = (s: string | undefined) => (s && s.length > MAX_FIELD_CHARS ? `${s.slice(0, MAX_FIELD_CHARS)}… (cut)` : s);
	let bounded: FlowTrace = {
		...trace,
		truncated: true,
		summary: cut(trace.summary)!,
		steps: trace.steps.map((s) => ({ ...s, note: cut(s.note), fields: s.fields.map((f) => ({ ...f, value: cut(f.value)!, note: cut(f.note) })) })),
		checks: trace.checks.map((c) => ({ ...c, detail: cut(c.detail)! }))
	};
	if (byteLength(bounded) <= maxBytes) return bounded;
	if (bounded.token) bounded = { ...bounded, token: { ...bounded.token, raw: undefined } };
	if (byteLength(bounded) <= maxBytes) return bounded;
	bounded = { ...bounded, token: undefined };
	if (byteLength(bounded) <= maxBytes) return bounded;
	const steps = [...bounded.steps];
	while (steps.length > 0 && byteLength({ ...bounded, steps }) > maxBytes) steps.pop();
	bounded = { ...bounded, steps };
	if (byteLength(bounded) <= maxBytes) return bounded;
	return { ...bounded, checks: [], summary: 'This flow was too large to record.' };
}
