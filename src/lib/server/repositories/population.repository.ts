import { eq } from 'drizzle-orm';
import type { Db, Tx } from '../db/client';
import { sites } from '../db/schema';

/** A site's type 1 population figure, as synchronised from the FHIR server. */

export type SiteRow = typeof sites.$inferSelect;

/** The site, locked for the rest of the transaction with `lock` (so a sync and an edit never interleave). */
export async function findSite(db: Db | Tx, siteId: string, { lock }: { lock: boolean }): Promise<SiteRow | undefined> {
  const query = db.select().from(sites).where(eq(sites.id, siteId));
  const [row] = lock ? await query.for('update') : await query;
  return row;
}

/** `current` is the locked row: its version is the one this change supersedes. */
export async function setPopulation(tx: Tx, current: SiteRow, population: { count: number; asOf: string }): Promise<SiteRow> {
  const [row] = await tx
    .update(sites)
    .set({ t1dPopulation: population.count, t1dPopulationAsOf: population.asOf, version: current.version + 1, updatedAt: new Date() })
    .where(eq(sites.id, current.id))
    .returning();
  return row!;
}
