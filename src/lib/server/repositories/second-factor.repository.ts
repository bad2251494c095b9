import { and, count, eq, inArray, isNotNull, isNull, lt, or } from 'drizzle-orm';
import type { Db, Tx } from '../db/client';
import { userRecoveryCodes, userTotp } from '../db/schema';

export type TotpRow = typeof userTotp.$inferSelect;

export async function findTotp(db: Db | Tx, userId: string): Promise<TotpRow | undefined> {
  const [row] = await db.select().from(userTotp).where(eq(userTotp.userId, userId));
  return row;
}

/** The users among these whose authenticator is active. */
export async function usersWithActiveTotp(db: Db | Tx, userIds: string[]): Promise<Set<string>> {
  if (!userIds.length) return new Set();
  const rows = await db
    .select({ userId: userTotp.userId })
    .from(userTotp)
    .where(and(inArray(userTotp.userId, userIds), isNotNull(userTotp.confirmedAt)));
  return new Set(rows.map((r) => r.userId));
}

/** A new, not yet confirmed enrolment with its recovery codes, replacing any earlier one. */
export async function savePendingTotp(tx: Tx, userId: string, sealedSecret: string, codeHashes: string[]): Promise<void> {
  await removeSecondFactor(tx, userId);
  await tx.insert(userTotp).values({ userId, secret: sealedSecret });
  await tx.insert(userRecoveryCodes).values(codeHashes.map((codeHash) => ({ userId, codeHash })));
}

/** Makes a pending enrolment active, the confirming code's step used; false when there was none pending. */
export async function confirmTotp(tx: Tx, userId: string, step: number): Promise<boolean> {
  const rows = await tx
    .update(userTotp)
    .set({ confirmedAt: new Date(), lastUsedStep: step })
    .where(and(eq(userTotp.userId, userId), isNull(userTotp.confirmedAt)))
    .returning({ userId: userTotp.userId });
  return rows.length > 0;
}

/**
 * Records a code's step as used, only if it is later than the last one used: one statement, so two requests
 * racing with the same code cannot both succeed. False for a replayed (or older) code.
 */
export async function useTotpStep(db: Db | Tx, userId: string, step: number): Promise<boolean> {
  const rows = await db
    .update(userTotp)
    .set({ lastUsedStep: step })
    .where(and(eq(userTotp.userId, userId), isNotNull(userTotp.confirmedAt), or(isNull(userTotp.lastUsedStep), lt(userTotp.lastUsedStep, step))))
    .returning({ userId: userTotp.userId });
  return rows.length > 0;
}

export function unusedRecoveryCodes(db: Db | Tx, userId: string): Promise<{ id: number; codeHash: string }[]> {
  return db
    .select({ id: userRecoveryCodes.id, codeHash: userRecoveryCodes.codeHash })
    .from(userRecoveryCodes)
    .where(and(eq(userRecoveryCodes.userId, userId), isNull(userRecoveryCodes.usedAt)));
}

export async function countUnusedRecoveryCodes(db: Db | Tx, userId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(userRecoveryCodes)
    .where(and(eq(userRecoveryCodes.userId, userId), isNull(userRecoveryCodes.usedAt)));
  return row?.n ?? 0;
}

/** Marks a recovery code used; false when it already was (a race with another request). */
export async function useRecoveryCode(db: Db | Tx, id: number): Promise<boolean> {
  const rows = await db
    .update(userRecoveryCodes)
    .set({ usedAt: new Date() })
    .where(and(eq(userRecoveryCodes.id, id), isNull(userRecoveryCodes.usedAt)))
    .returning({ id: userRecoveryCodes.id });
  return rows.length > 0;
}

/** Removes the authenticator and its recovery codes; answers whether there was one. */
export async function removeSecondFactor(tx: Tx, userId: string): Promise<boolean> {
  await tx.delete(userRecoveryCodes).where(eq(userRecoveryCodes.userId, userId));
  const removed = await tx.delete(userTotp).where(eq(userTotp.userId, userId)).returning({ userId: userTotp.userId });
  return removed.length > 0;
}
