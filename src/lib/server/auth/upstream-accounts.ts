// Which of our accounts an upstream sign-in (GitHub, Google, any OpenID provider) belongs to.
// The rules, against account takeover:
// - an identity already linked signs in its account, whatever its email says today;
// - an upstream that does not vouch for the address (verified at GitHub as the primary address,
//   `email_verified` in the ID token) never creates, links or verifies anything;
// - a verified address nobody has creates a new account without a password;
// - a verified address that belongs to an account links nothing until the person proves they own
//   that account: its password, or a link mailed to it and opened in the same browser.
import { and, eq } from 'drizzle-orm';
import type { Database } from '../db';
import { upstreamIdentities, users } from '../db/schema';
import { generateSecret } from '../secrets';
import { consumeOneTimeToken, findOneTimeToken, issueOneTimeToken, revokeOneTimeTokens } from './one-time-tokens';
import { federatedAMR, type UpstreamProfile } from './upstream';
import { normalizeEmail } from './user';

/** How long a pending link (and the link mailed for it) can be completed. */
export const PENDING_LINK_TTL_SECONDS = 15 * 60;

export type UpstreamSignIn =
	/** Sign this user in; `amr` for the new session (space-separated, RFC 8176). */
	| { outcome: 'signed-in'; userId: string; amr: string; created: boolean }
	/** An account has this address: `pendingToken` goes in a cookie until the owner proves it is theirs. */
	| { outcome: 'link-required'; pendingToken: string }
	/** The upstream did not vouch for an address: nothing to create or link. */
	| { outcome: 'no-verified-email' };

/** The identity waiting for proof, as stored in the one_time_token payload. */
export interface PendingLink {
	tokenId: string;
	userId: string;
	/** The existing account's address (the same as the upstream's verified one). */
	email: string;
	provider: string;
	subject: string;
	nameAtUpstream: string | null;
	amr: string[];
	/** Whether the account has a password to prove ownership with (else only the mailed link). */
	hasPassword: boolean;
}

/** Decides what an upstream sign-in does (see the rules at the top of this file). */
export async function resolveUpstreamSignIn(db: Database, profile: UpstreamProfile, now = new Date()): Promise<UpstreamSignIn> {
	const amr = federatedAMR(profile.amr).join(' ');
	const linked = await linkedUser(db, profile, now);
	if (linked) return { outcome: 'signed-in', userId: linked, amr, created: false };
	const email = profile.emailVerified ? normalizeEmail(profile.email) : null;
	if (!email) return { outcome: 'no-verified-email' };

	const [created] = await db
		.insert(users)
		.values({ id: generateSecret(), email, name: displayName(profile.name, email), emailVerified: true, passwordHash: null, createdAt: now, updatedAt: now })
		.onConflictDoNothing({ target: users.email })
		.returning({ id: users.id });
	if (created) {
		await db
			.insert(upstreamIdentities)
			.values({ provider: profile.provider, subject: profile.subject, userId: created.id, emailAtLink: email, linkedAt: now, lastUsedAt: now });
		return { outcome: 'signed-in', userId: created.id, amr, created: true };
	}
	const [owner] = await db.select({ id: users.id }).from(users).where(eq(users.email, email)).limit(1);
	const pendingToken = await issueOneTimeToken(
		db,
		{
			purpose: 'link-upstream',
			userId: owner.id,
			email,
			payload: { step: 'pending', provider: profile.provider, subject: profile.subject, name: profile.name, amr: profile.amr },
			ttlSeconds: PENDING_LINK_TTL_SECONDS
		},
		now
	);
	return { outcome: 'link-required', pendingToken };
}

/** The pending link a cookie holds, or null when it is unknown, used or expired. */
export async function findPendingLink(db: Database, token: unknown, now = new Date()): Promise<PendingLink | null> {
	const found = await findOneTimeToken(db, token, 'link-upstream', now);
	const payload = found && parsePayload(found.payload);
	if (!found || !payload || payload.step !== 'pending' || !found.userId) return null;
	const [owner] = await db.select({ passwordHash: users.passwordHash, email: users.email }).from(users).where(eq(users.id, found.userId)).limit(1);
	// The account changed its address since: the upstream's address no longer names it.
	if (!owner || owner.email !== found.email) return null;
	return {
		tokenId: found.id,
		userId: found.userId,
		email: found.email,
		provider: payload.provider,
		subject: payload.subject,
		nameAtUpstream: payload.name,
		amr: payload.amr,
		hasPassword: owner.passwordHash !== null
	};
}

export type LinkResult =
	| { linked: true; userId: string; amr: string; provider: string }
	| { linked: false; reason: 'expired' | 'wrong-account' | 'other-browser' | 'linked-elsewhere' };

/**
 * After the account's password was checked (password-sign-in.ts, so its limits apply) for
 * `provenUserId`: links the pending identity to that account, once.
 */
export async function linkAfterPassword(db: Database, pendingToken: unknown, provenUserId: string, now = new Date()): Promise<LinkResult> {
	const pending = await findPendingLink(db, pendingToken, now);
	if (!pending) return { linked: false, reason: 'expired' };
	if (pending.userId !== provenUserId) return { linked: false, reason: 'wrong-account' };
	if (!(await consumeOneTimeToken(db, pendingToken, 'link-upstream', now))) return { linked: false, reason: 'expired' };
	return link(db, pending, [...federatedAMR(pending.amr), 'pwd'], now);
}

/** A token for the mailed link: it completes `pending` only together with the pending cookie. */
export async function issueMailedLink(db: Database, pending: PendingLink, now = new Date()): Promise<string> {
	return issueOneTimeToken(
		db,
		{
			purpose: 'link-upstream',
			userId: pending.userId,
			email: pending.email,
			payload: {
				step: 'mailed',
				pendingId: pending.tokenId,
				provider: pending.provider,
				subject: pending.subject,
				name: pending.nameAtUpstream,
				amr: pending.amr
			},
			ttlSeconds: PENDING_LINK_TTL_SECONDS
		},
		now
	);
}

/** What the confirm page shows before the person presses the button (the link itself changes nothing). */
export async function findMailedLink(
	db: Database,
	mailedToken: unknown,
	now = new Date()
): Promise<{ email: string; provider: string; nameAtUpstream: string | null } | null> {
	const found = await findOneTimeToken(db, mailedToken, 'link-upstream', now);
	const payload = found && parsePayload(found.payload);
	if (!found || !payload || payload.step !== 'mailed') return null;
	return { email: found.email, provider: payload.provider, nameAtUpstream: payload.name };
}

/**
 * The mailed link, opened in the browser that holds the pending cookie. Both are needed: the
 * mail proves the person reads the account's mailbox; the cookie proves this is the browser
 * that signed in at the upstream. Without the second, someone holding an upstream account with
 * the victim's (verified) address could have the victim click "link" and take the account over.
 */
export async function linkAfterMail(db: Database, mailedToken: unknown, pendingToken: unknown, now = new Date()): Promise<LinkResult> {
	const mailed = await findOneTimeToken(db, mailedToken, 'link-upstream', now);
	const payload = mailed && parsePayload(mailed.payload);
	if (!mailed || !payload || payload.step !== 'mailed' || !mailed.userId) return { linked: false, reason: 'expired' };
	const pending = await findPendingLink(db, pendingToken, now);
	if (!pending || pending.tokenId !== payload.pendingId || pending.userId !== mailed.userId) return { linked: false, reason: 'other-browser' };
	if (!(await consumeOneTimeToken(db, mailedToken, 'link-upstream', now))) return { linked: false, reason: 'expired' };
	if (!(await consumeOneTimeToken(db, pendingToken, 'link-upstream', now))) return { linked: false, reason: 'expired' };
	return link(db, pending, federatedAMR(pending.amr), now);
}

async function link(db: Database, pending: PendingLink, amr: string[], now: Date): Promise<LinkResult> {
	const [inserted] = await db
		.insert(upstreamIdentities)
		.values({ provider: pending.provider, subject: pending.subject, userId: pending.userId, emailAtLink: pending.email, linkedAt: now, lastUsedAt: now })
		.onConflictDoNothing()
		.returning({ userId: upstreamIdentities.userId });
	if (!inserted) {
		// Linked meanwhile (another tab): fine if to this account, refused if to another.
		const owner = await linkedUser(db, pending, now);
		if (owner !== pending.userId) return { linked: false, reason: 'linked-elsewhere' };
	}
	// Other pending links to this account (older tabs, or someone else's attempt) end here.
	await revokeOneTimeTokens(db, pending.userId, 'link-upstream');
	return { linked: true, userId: pending.userId, amr: [...new Set(amr)].join(' '), provider: pending.provider };
}

async function linkedUser(db: Database, { provider, subject }: { provider: string; subject: string }, now: Date): Promise<string | null> {
	const [row] = await db
		.update(upstreamIdentities)
		.set({ lastUsedAt: now })
		.where(and(eq(upstreamIdentities.provider, provider), eq(upstreamIdentities.subject, subject)))
		.returning({ userId: upstreamIdentities.userId });
	return row?.userId ?? null;
}

interface LinkPayload {
	step: 'pending' | 'mailed';
	pendingId?: string;
	provider: string;
	subject: string;
	name: string | null;
	amr: string[];
}

function parsePayload(value: unknown): LinkPayload | null {
	if (typeof value !== 'object' || value === null) return null;
	const p = value as Record<string, unknown>;
	if ((p.step !== 'pending' && p.step !== 'mailed') || typeof p.provider !== 'string' || typeof p.subject !== 'string') return null;
	if (p.step === 'mailed' && typeof p.pendingId !== 'string') return null;
	return {
		step: p.step,
		pendingId: typeof p.pendingId === 'string' ? p.pendingId : undefined,
		provider: p.provider,
		subject: p.subject,
		name: typeof p.name === 'string' ? p.name : null,
		amr: Array.isArray(p.amr) ? p.amr.filter((v): v is string => typeof v === 'string') : []
	};
}

/** The upstream's name made safe for ours (sign-up's rules: printable, at most 100), else the address's local part. */
export function displayName(nameAtUpstream: string | null, email: string): string {
	const cleaned = (nameAtUpstream ?? '')
		.replace(/[\u0000-\u001f\u007f]/g, '')
		.trim()
		.slice(0, 100)
		.trim();
	return cleaned || email.split('@')[0].slice(0, 100);
}
