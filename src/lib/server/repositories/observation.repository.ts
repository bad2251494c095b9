import { and, desc, eq, inArray } from 'drizzle-orm';
import { instantOf } from '../../domain/calendar-date';
import type { Db, Tx } from '../db/client';
import { observations } from '../db/schema';

export type ObservationRow = typeof observations.$inferSelect;

/** The patient's HbA1c results, newest first. */
export function hba1cResultsOf(db: Db | Tx, patientId: string): Promise<ObservationRow[]> {
  return db
    .select()
    .from(observations)
    .where(and(eq(observations.patientId, patientId), eq(observations.kind, 'hba1c')))
    .orderBy(desc(observations.effectiveAt), desc(observations.createdAt));
}

/** The patient's HbA1c values, in no particular order. */
export function hba1cValuesOf(db: Db | Tx, patientId: string): Promise<{ effective: string; mmolMol: number }[]> {
  return db
    .select({ effective: observations.effective, mmolMol: observations.mmolMol })
    .from(observations)
    .where(and(eq(observations.patientId, patientId), eq(observations.kind, 'hba1c')));
}

/** The HbA1c values of several patients, in no particular order; for no patients, no query. */
export async function hba1cValuesFor(db: Db | Tx, patientIds: string[]): Promise<{ patientId: string; effective: string; mmolMol: number }[]> {
  if (!patientIds.length) return [];
  return db
    .select({ patientId: observations.patientId, effective: observations.effective, mmolMol: observations.mmolMol })
    .from(observations)
    .where(and(inArray(observations.patientId, patientIds), eq(observations.kind, 'hba1c')));
}

/** An HbA1c result entered by hand, as IFCC mmol/mol with the value and unit it was given in. */
export async function insertManualHba1c(
  db: Db | Tx,
  r: { patientId: string; effective: string; mmolMol: number; original: { value: number; unit: string }; enteredBy: string | null },
): Promise<ObservationRow> {
  const [row] = await db
    .insert(observations)
    .values({
      patientId: r.patientId,
      kind: 'hba1c',
      effective: r.effective,
      // The schema admits only a date or a full date-time, both of which instantOf places.
      effectiveAt: instantOf(r.effective)!,
      mmolMol: r.mmolMol,
      originalValue: String(r.original.value),
      originalUnit: r.original.unit,
      source: 'manual',
      enteredBy: r.enteredBy,
    })
    .returning();
  return row!;
}
