import { and, count, eq, gte, lt, min, or, sql } from 'drizzle-orm';
import type { Db, Tx } from '../db/client';
import { loginFailures, sessions, users, userSites, userTotp } from '../db/schema';

export type NewSession = typeof sessions.$inferInsert;

/**
 * The session, its user and the user's sites in one query: every request asks it, so it is prepared once (call
 * this once per database handle) and run with `{ tokenHash }`.
 */
export function prepareSessionActor(db: Db) {
  return db
    .select({
      lastSeenAt: sessions.lastSeenAt,
      expiresAt: sessions.expiresAt,
      userId: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      siteIds: sql<string[]>`coalesce((select array_agg(${userSites.siteId}) from ${userSites} where ${userSites.userId} = ${users.id}), '{}')`,
      method: sessions.method,
      totpActive: sql<boolean>`exists (select 1 from ${userTotp} where ${userTotp.userId} = ${users.id} and ${userTotp.confirmedAt} is not null)`,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, sql.placeholder('tokenHash')), eq(users.active, true)))
    .prepare('session_actor');
}

export async function insertSession(tx: Tx, values: NewSession): Promise<void> {
  await tx.insert(sessions).values(values);
}

export async function deleteSession(db: Db | Tx, tokenHash: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.tokenHash, tokenHash));
}

/** Ends every session of one person, as when their account is closed. */
export async function deleteSessionsOf(tx: Tx, userId: string): Promise<void> {
  await tx.delete(sessions).where(eq(sessions.userId, userId));
}

/** Ends the session, answering whose it was and how it began (undefined when there was none). */
export async function endSession(tx: Tx, tokenHash: string): Promise<typeof sessions.$inferSelect | undefined> {
  const [ended] = await tx.delete(sessions).where(eq(sessions.tokenHash, tokenHash)).returning();
  return ended;
}

export async function touchSession(db: Db | Tx, tokenHash: string, at: Date): Promise<void> {
  await db.update(sessions).set({ lastSeenAt: at }).where(eq(sessions.tokenHash, tokenHash));
}

export async function recordLoginFailures(db: Db | Tx, keys: string[]): Promise<void> {
  await db.insert(loginFailures).values(keys.map((key) => ({ key })));
}

export async function clearLoginFailures(db: Db | Tx, key: string): Promise<void> {
  await db.delete(loginFailures).where(eq(loginFailures.key, key));
}

export async function clearLoginFailuresBefore(db: Db | Tx, before: Date): Promise<void> {
  await db.delete(loginFailures).where(lt(loginFailures.at, before));
}

/** For each of the two keys with failures since `since`: how many, and the oldest. */
export function countLoginFailures(db: Db | Tx, accountKey: string, addressKey: string, since: Date) {
  return db
    .select({ key: loginFailures.key, n: count(), oldest: min(loginFailures.at) })
    .from(loginFailures)
    .where(and(or(eq(loginFailures.key, accountKey), eq(loginFailures.key, addressKey)), gte(loginFailures.at, since)))
    .groupBy(loginFailures.key);
}
