import { bigint, boolean, customType, index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { users } from './users';

const bytes = customType<{ data: Uint8Array; driverData: Uint8Array }>({
	dataType: () => 'bytea',
	// postgres.js returns a Buffer, PGlite a Uint8Array: both are Uint8Arrays.
	fromDriver: (value) => new Uint8Array(value)
});

/**
 * A user's TOTP authenticator (RFC 6238). The shared key must be readable to check codes, so it
 * is stored encrypted (JWE, like the signing keys), never in the clear. `confirmedAt` is null
 * while the user is enrolling: an unconfirmed key is never asked for at sign-in.
 */
export const totpCredentials = pgTable('totp_credential', {
	userId: text('user_id')
		.primaryKey()
		.references(() => users.id, { onDelete: 'cascade' }),
	encryptedKey: text('encrypted_key').notNull(),
	/**
	 * The last time step whose code was accepted: RFC 6238 §5.2 says a code must not be accepted
	 * twice, so a code seen over someone's shoulder is useless once its owner has used it.
	 */
	lastUsedStep: bigint('last_used_step', { mode: 'number' }),
	createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
	confirmedAt: timestamp('confirmed_at', { withTimezone: true })
});

/** Single-use recovery codes (ten per enrolment), stored as SHA-256: they are random, not chosen. */
export const recoveryCodes = pgTable(
	'recovery_code',
	{
		id: text('id').primaryKey(),
		userId: text('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		codeHash: text('code_hash').notNull(),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
		usedAt: timestamp('used_at', { withTimezone: true })
	},
	(t) => [index('recovery_code_user_id_idx').on(t.userId)]
);

/** A WebAuthn credential (passkey) registered by a user (W3C WebAuthn Level 3 §7.1). */
export const passkeys = pgTable(
	'passkey',
	{
		/** The credential id, base64url: the authenticator names the key by it at sign-in. */
		id: text('id').primaryKey(),
		userId: text('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		/** The public key, COSE_Key encoded (RFC 9052 §7) as the authenticator sent it. */
		publicKey: bytes('public_key').notNull(),
		/** COSE algorithm: -7 (ES256) or -257 (RS256). */
		algorithm: integer('algorithm').notNull(),
		/** The authenticator's signature counter (§6.1.1); 0 for authenticators that keep none. */
		signCount: bigint('sign_count', { mode: 'number' }).notNull().default(0),
		/** The backup-eligible flag: a synced passkey (software key, `swk`) rather than a device-bound one (`hwk`). */
		backupEligible: boolean('backup_eligible').notNull().default(false),
		/** A name the user chose, or the browser and OS it was registered on. */
		name: text('name').notNull(),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
		lastUsedAt: timestamp('last_used_at', { withTimezone: true })
	},
	(t) => [index('passkey_user_id_idx').on(t.userId)]
);

/**
 * WebAuthn challenges in flight (§13.4.3: random, single-use, checked on the server). Stored
 * as SHA-256 so that a database read does not yield a usable challenge; any app node can check
 * it. `userId` is set for a registration and for a step-up; null for a passkey sign-in, where
 * the credential names the user.
 */
export const webauthnChallenges = pgTable(
	'webauthn_challenge',
	{
		challengeHash: text('challenge_hash').primaryKey(),
		/** `register` or `authenticate`: a challenge is only ever accepted for its own ceremony. */
		purpose: text('purpose').notNull(),
		userId: text('user_id').references(() => users.id, { onDelete: 'cascade' }),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
		expiresAt: timestamp('expires_at', { withTimezone: true }).notNull()
	},
	(t) => [index('webauthn_challenge_expires_at_idx').on(t.expiresAt)]
);
