import { InvalidScope } from './errors';

/**
 * An OAuth scope (RFC 6749 §3.3): a set of case-sensitive words, written space-separated on
 * the wire, in JWTs and in the database. This is its in-memory form: parsed once, words kept
 * in the order they were given (duplicates dropped), written back by `toString()`.
 */
export class Scopes implements Iterable<string> {
	readonly #words: readonly string[];
	readonly #set: ReadonlySet<string>;

	private constructor(words: Iterable<string>) {
		this.#set = new Set(words);
		this.#words = [...this.#set];
	}

	/** RFC 6749 §3.3: `scope-token *( SP scope-token )`; empty words from extra spaces are dropped. */
	static parse(scope: string | null | undefined): Scopes {
		return new Scopes((scope ?? '').split(' ').filter(Boolean));
	}

	/** Scopes from words already separated (request order kept, duplicates dropped). */
	static of(words: Iterable<string>): Scopes {
		return new Scopes([...words].filter(Boolean));
	}

	/** The value as Scopes, whether it arrives parsed or in its written form (a column, a claim). */
	static from(scope: Scopes | string | null | undefined): Scopes {
		return scope instanceof Scopes ? scope : Scopes.parse(scope);
	}

	get size(): number {
		return this.#words.length;
	}

	has(scope: string): boolean {
		return this.#set.has(scope);
	}

	/** Whether every word of `other` is among these (consent given covers what is asked). */
	covers(other: Scopes): boolean {
		return other.#words.every((word) => this.#set.has(word));
	}

	/** These words, then those of `other` not already here. */
	union(other: Scopes): Scopes {
		return new Scopes([...this.#words, ...other.#words]);
	}

	/** The words that pass `keep`, in this order. */
	filter(keep: (scope: string) => boolean): Scopes {
		return new Scopes(this.#words.filter(keep));
	}

	/**
	 * RFC 6749 §6: a refresh may ask for these scopes or fewer, never more; no request keeps
	 * them all. Throws invalid_scope naming the first word that was not granted.
	 */
	narrow(requested: Scopes | undefined): Scopes {
		if (requested === undefined) return this;
		const extra = requested.#words.find((word) => !this.#set.has(word));
		if (extra !== undefined) throw new InvalidScope(`scope "${extra}" was not granted`);
		return requested;
	}

	[Symbol.iterator](): Iterator<string> {
		return this.#words[Symbol.iterator]();
	}

	/** The written form: the words joined by single spaces, in order. */
	toString(): string {
		return this.#words.join(' ');
	}

	toJSON(): string {
		return this.toString();
	}
}
