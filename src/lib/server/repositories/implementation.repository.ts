import { asc, desc, eq } from 'drizzle-orm';
import type { Db, Tx } from '../db/client';
import { barriers, facilitationActivities } from '../db/schema';

export type FacilitationRow = typeof facilitationActivities.$inferSelect;
export type NewFacilitation = typeof facilitationActivities.$inferInsert;
export type BarrierRow = typeof barriers.$inferSelect;
export type NewBarrier = typeof barriers.$inferInsert;

/** The site's facilitation, oldest first. */
export function listFacilitation(db: Db | Tx, siteId: string): Promise<FacilitationRow[]> {
  return db.select().from(facilitationActivities).where(eq(facilitationActivities.siteId, siteId)).orderBy(asc(facilitationActivities.on));
}

export async function insertFacilitation(tx: Tx, values: NewFacilitation): Promise<FacilitationRow> {
  const [row] = await tx.insert(facilitationActivities).values(values).returning();
  return row!;
}

/** The site's barriers, latest raised first. */
export function listBarriers(db: Db | Tx, siteId: string): Promise<BarrierRow[]> {
  return db.select().from(barriers).where(eq(barriers.siteId, siteId)).orderBy(desc(barriers.raisedOn));
}

export async function insertBarrier(tx: Tx, values: NewBarrier): Promise<BarrierRow> {
  const [row] = await tx.insert(barriers).values(values).returning();
  return row!;
}

/** The barrier, locked until the transaction ends, so that its version is checked and raised by one writer at a time. */
export async function lockBarrier(tx: Tx, id: string): Promise<BarrierRow | undefined> {
  const [row] = await tx.select().from(barriers).where(eq(barriers.id, id)).for('update');
  return row;
}

export async function updateBarrier(tx: Tx, id: string, changes: { resolvedOn: string | null; version: number }): Promise<BarrierRow> {
  const [row] = await tx
    .update(barriers)
    .set({ ...changes, updatedAt: new Date() })
    .where(eq(barriers.id, id))
    .returning();
  return row!;
}
