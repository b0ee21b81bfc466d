import { hash, verify } from '@node-rs/argon2';

// OWASP's minimum Argon2id profile (19 MiB, 2 passes, 1 lane): a sign-in costs ~20 ms.
const ARGON2ID = { memoryCost: 19456, timeCost: 2, parallelism: 1, outputLen: 32 } as const;

/** Argon2id PHC string for a new password. */
export function hashPassword(password: string): Promise<string> {
	return hash(password, ARGON2ID);
}

/** Whether `password` matches the stored PHC string (parameters are read from the string). */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
	try {
		return await verify(passwordHash, password);
	} catch {
		return false;
	}
}

// Verifying against this when the email is unknown keeps the response time the same, so
// timing does not tell an attacker which emails have accounts.
let decoyHash: Promise<string> | undefined;
export async function verifyAgainstDecoy(password: string): Promise<false> {
	decoyHash ??= hashPassword('decoy password that never matches');
	await verifyPassword(await decoyHash, password);
	return false;
}
