import { and, asc, eq, gt, inArray, or } from 'drizzle-orm';
import type { Db, Tx } from '../db/client';
import { sites } from '../db/schema';

export type SiteRow = typeof sites.$inferSelect;
export type NewSite = typeof sites.$inferInsert;
export type SiteChanges = Partial<Pick<NewSite, 'name' | 'icb' | 't1dPopulation' | 't1dPopulationAsOf'>>;

/** Sites in name order (id breaks ties), from just after the (name, id) of `after`. */
export function listSites(db: Db | Tx, q: { limit: number; after?: [string, string] }): Promise<SiteRow[]> {
  const { after } = q;
  return db
    .select()
    .from(sites)
    .where(after ? or(gt(sites.name, after[0]), and(eq(sites.name, after[0]), gt(sites.id, after[1]))) : undefined)
    .orderBy(asc(sites.name), asc(sites.id))
    .limit(q.limit);
}

export function allSites(db: Db | Tx): Promise<SiteRow[]> {
  return db.select().from(sites).orderBy(asc(sites.name));
}

export async function findSite(db: Db | Tx, id: string): Promise<SiteRow | undefined> {
  const [row] = await db.select().from(sites).where(eq(sites.id, id));
  return row;
}

/** The site, locked until the transaction ends, so that its version is checked and raised by one writer at a time. */
export async function lockSite(tx: Tx, id: string): Promise<SiteRow | undefined> {
  const [row] = await tx.select().from(sites).where(eq(sites.id, id)).for('update');
  return row;
}

export async function siteExists(db: Db | Tx, id: string): Promise<boolean> {
  const [site] = await db.select({ id: sites.id }).from(sites).where(eq(sites.id, id));
  return site !== undefined;
}

/** Which of `ids` are sites. */
export async function existingSiteIds(db: Db | Tx, ids: string[]): Promise<Set<string>> {
  const found = await db.select({ id: sites.id }).from(sites).where(inArray(sites.id, ids));
  return new Set(found.map((s) => s.id));
}

export async function insertSite(tx: Tx, values: NewSite): Promise<SiteRow> {
  const [row] = await tx.insert(sites).values(values).returning();
  return row!;
}

export async function updateSite(tx: Tx, id: string, changes: SiteChanges & { version: number }): Promise<SiteRow> {
  const [row] = await tx
    .update(sites)
    .set({ ...changes, updatedAt: new Date() })
    .where(eq(sites.id, id))
    .returning();
  return row!;
}
