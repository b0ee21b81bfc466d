// The inspector's storage: per browser, bounded, gone with the site session, and readable
// only with the right secret at the right site.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../tests/support/database';
import { rpFlowLogs, rpFlowTraces } from '../db/schema';
import { appendFlow, endFlowLogs, ENDED_LOG_TTL_MS, findFlowLog, MAX_FLOWS_PER_LOG, openFlowLog, readFlows } from './flow-inspector-store';
import { FlowRecorder } from './flow-trace';
import { createRPSession, deleteRPSession, endRPSessionsForLogout } from './session';

const database = useTestDatabase();
const now = new Date('2026-01-15T10:00:00Z');
const later = (ms: number) => new Date(now.getTime() + ms);
const flow = (title: string) => new FlowRecorder('sign-in', title, () => now).finish('succeeded', title);

async function signedIn(site = 'site1', sid = `sid-${Math.random()}`, sub = `user-${Math.random()}`) {
	const { session } = await createRPSession(database.db, site, { sub, sid }, 'id-token', now);
	const { token, log } = await openFlowLog(
		database.db,
		{ site, sessionId: session.id, subject: sub, providerSessionId: sid, expiresAt: session.expiresAt },
		now
	);
	await appendFlow(database.db, log.id, flow('Sign-in'), now);
	return { session, token, log, sid, sub };
}

describe('flow inspector storage', () => {
	it('keeps only the newest five flows of a log', async () => {
		const { log } = await signedIn();
		for (let i = 1; i <= 7; i++) await appendFlow(database.db, log.id, flow(`Flow ${i}`), later(i * 1000));
		const flows = await readFlows(database.db, log.id);
		expect(flows).toHaveLength(MAX_FLOWS_PER_LOG);
		expect(flows.map((f) => f.title)).toEqual(['Flow 7', 'Flow 6', 'Flow 5', 'Flow 4', 'Flow 3']);
	});

	it('opens a log only with its own secret, at its own site, before it expires', async () => {
		const { token, log } = await signedIn();
		const [id, secret] = token.split('.');
		expect(await findFlowLog(database.db, 'site1', token, now)).toMatchObject({ id: log.id });
		expect(await findFlowLog(database.db, 'site2', token, now)).toBeNull();
		expect(await findFlowLog(database.db, 'site1', `${id}.${secret.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a'))}`, now)).toBeNull();
		expect(await findFlowLog(database.db, 'site1', 'not-a-token', now)).toBeNull();
		expect(await findFlowLog(database.db, 'site1', token, later(9 * 3600 * 1000))).toBeNull();
	});

	it('stores the secret only as a hash', async () => {
		const { token, log } = await signedIn();
		const [row] = await database.db.select().from(rpFlowLogs).where(eq(rpFlowLogs.id, log.id));
		expect(row.secretHash).not.toContain(token.split('.')[1]);
	});

	it('goes with the site session when the session is deleted (expiry, clean-up)', async () => {
		const { session, log } = await signedIn();
		await deleteRPSession(database.db, session.id);
		expect(await database.db.select().from(rpFlowLogs).where(eq(rpFlowLogs.id, log.id))).toHaveLength(0);
		expect(await database.db.select().from(rpFlowTraces).where(eq(rpFlowTraces.logId, log.id))).toHaveLength(0);
	});

	it('a sign-out empties the log and keeps it ten minutes for the flow that ended the session', async () => {
		const { session, token, log } = await signedIn();
		expect(await endFlowLogs(database.db, 'site1', { sessionId: session.id }, now)).toEqual([log.id]);
		await deleteRPSession(database.db, session.id);
		expect(await readFlows(database.db, log.id)).toEqual([]);
		await appendFlow(database.db, log.id, flow('Sign-out'), now);
		expect((await readFlows(database.db, log.id)).map((f) => f.title)).toEqual(['Sign-out']);
		expect(await findFlowLog(database.db, 'site1', token, later(ENDED_LOG_TTL_MS - 1000))).not.toBeNull();
		expect(await findFlowLog(database.db, 'site1', token, later(ENDED_LOG_TTL_MS + 1000))).toBeNull();
	});

	it("a logout token finds the logs of its sid (also one already ended by a sign-out), and no one else's", async () => {
		const mine = await signedIn('site1');
		const other = await signedIn('site1');
		const elsewhere = await signedIn('site2', mine.sid, mine.sub);
		await endFlowLogs(database.db, 'site1', { sessionId: mine.session.id }, now);
		await deleteRPSession(database.db, mine.session.id);
		await appendFlow(database.db, mine.log.id, flow('Sign-out'), now);
		const logs = await endFlowLogs(database.db, 'site1', { sid: mine.sid }, later(1000));
		expect(logs).toEqual([mine.log.id]);
		expect((await readFlows(database.db, mine.log.id)).map((f) => f.title)).toEqual(['Sign-out']);
		expect(await readFlows(database.db, other.log.id)).toHaveLength(1);
		expect(await readFlows(database.db, elsewhere.log.id)).toHaveLength(1);
		expect(await endRPSessionsForLogout(database.db, 'site1', { sid: other.sid })).toBe(1);
	});

	it("a new sign-in in the same browser deletes the previous log (a shared computer shows nobody's old flows)", async () => {
		const first = await signedIn();
		const { token } = await openFlowLog(database.db, { site: 'site1', previousToken: first.token, expiresAt: later(60_000) }, now);
		expect(await findFlowLog(database.db, 'site1', first.token, now)).toBeNull();
		expect(await findFlowLog(database.db, 'site1', token, now)).not.toBeNull();
	});
});
