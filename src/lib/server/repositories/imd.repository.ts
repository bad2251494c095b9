import { sql } from 'drizzle-orm';
import type { ImdRow } from '../../domain/imd-file';
import type { Db, Tx } from '../db/client';
import { imdPostcodes } from '../db/schema';

/** The postcode-to-deprivation table: replaced whole by a load, looked up by its key. */

export async function clearImdPostcodes(tx: Tx): Promise<void> {
  await tx.delete(imdPostcodes);
}

/**
 * One statement a batch: two array parameters unnested, so a batch of ten thousand rows is one round trip and two
 * parameters (a list of parameters would be capped by the protocol). Arrays go as text, which both drivers write.
 */
export async function insertImdPostcodes(tx: Tx, rows: readonly ImdRow[]): Promise<void> {
  if (rows.length === 0) return;
  const postcodes = rows.map((r) => r.postcode);
  const deciles = rows.map((r) => String(r.decile));
  await tx.execute(
    sql`insert into ${imdPostcodes} (postcode, imd_decile) select * from unnest(${sql.param(postcodes)}::text[], ${sql.param(deciles)}::text[]::smallint[])`,
  );
}

/** Copies each patient's decile, as the new table gives it, onto their records (migrations/0016_milestone_equity.sql). */
export async function copyDecilesToRecords(tx: Tx): Promise<void> {
  await tx.execute(sql`select referral_milestones_copy_patients(null)`);
}

export async function countImdPostcodes(db: Db | Tx): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(imdPostcodes);
  return row!.n;
}

/** The deciles of these compact postcodes, for those the table holds. */
export async function imdDecilesOf(db: Db | Tx, postcodes: readonly string[]): Promise<Map<string, number>> {
  if (postcodes.length === 0) return new Map();
  const rows = await db
    .select({ postcode: imdPostcodes.postcode, decile: imdPostcodes.imdDecile })
    .from(imdPostcodes)
    .where(sql`${imdPostcodes.postcode} = any(${sql.param(postcodes)}::text[])`);
  return new Map(rows.map((r) => [r.postcode, r.decile]));
}
