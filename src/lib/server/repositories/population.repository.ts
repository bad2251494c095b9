import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db, Tx } from '../db/client';
import type { EquitySplit, SplitCounts } from '../../domain/equity';
import { sitePopulationCounts, sitePopulationSplitCounts } from '../db/schema';

export type PopulationCountRow = typeof sitePopulationCounts.$inferSelect;
export type NewPopulationCount = Omit<typeof sitePopulationCounts.$inferInsert, 'recordedAt'>;

/** A site's counts, newest date first. */
export function populationCountsOf(db: Db | Tx, siteId: string): Promise<PopulationCountRow[]> {
  return db.select().from(sitePopulationCounts).where(eq(sitePopulationCounts.siteId, siteId)).orderBy(desc(sitePopulationCounts.asOf));
}

/**
 * Records a count, replacing one already held for that site and date (a corrected count for the same day), and
 * answers what was there before, for the audit entry.
 */
export async function recordPopulationCount(tx: Tx, count: NewPopulationCount): Promise<{ before: PopulationCountRow | undefined; after: PopulationCountRow }> {
  const [before] = await tx
    .select()
    .from(sitePopulationCounts)
    .where(and(eq(sitePopulationCounts.siteId, count.siteId), eq(sitePopulationCounts.asOf, count.asOf)))
    .for('update');
  const [after] = await tx
    .insert(sitePopulationCounts)
    .values(count)
    .onConflictDoUpdate({
      target: [sitePopulationCounts.siteId, sitePopulationCounts.asOf],
      set: { t1dPopulation: count.t1dPopulation, source: count.source, recordedBy: count.recordedBy ?? null, recordedAt: sql`now()` },
    })
    .returning();
  return { before, after: after! };
}

/** A sync's counts by split, replacing any the site already holds for that date (the same day synced again). */
export async function recordPopulationSplitCounts(tx: Tx, siteId: string, asOf: string, counts: SplitCounts): Promise<void> {
  await tx.delete(sitePopulationSplitCounts).where(and(eq(sitePopulationSplitCounts.siteId, siteId), eq(sitePopulationSplitCounts.asOf, asOf)));
  const rows = Object.entries(counts).flatMap(([split, values]) =>
    Object.entries(values).map(([value, t1dPopulation]) => ({ siteId, asOf, split: split as EquitySplit, value, t1dPopulation })),
  );
  await tx.insert(sitePopulationSplitCounts).values(rows);
}
