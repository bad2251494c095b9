import { and, asc, desc, eq, gt, inArray, like, or, sql, type SQL } from 'drizzle-orm';
import type { Db, Tx } from '../db/client';
import { hypoglycaemiaEvents, patientConditions, patients } from '../db/schema';

export type PatientRow = typeof patients.$inferSelect;
export type NewPatientRow = typeof patients.$inferInsert;
export type ConditionRow = typeof patientConditions.$inferSelect;
export type HypoglycaemiaRow = typeof hypoglycaemiaEvents.$inferSelect;

export async function findPatient(db: Db | Tx, id: string): Promise<PatientRow | undefined> {
  const [row] = await db.select().from(patients).where(eq(patients.id, id));
  return row;
}

export async function findPatientByNhsNumber(db: Db | Tx, nhsNumber: string): Promise<PatientRow | undefined> {
  const [row] = await db.select().from(patients).where(eq(patients.nhsNumber, nhsNumber));
  return row;
}

/** The patient's row, locked until the transaction ends: writes that must see each other's records of one patient take it first. */
export async function lockPatient(tx: Tx, id: string): Promise<PatientRow | undefined> {
  const [row] = await tx.select().from(patients).where(eq(patients.id, id)).for('update');
  return row;
}

export async function insertPatient(db: Db | Tx, values: NewPatientRow): Promise<PatientRow> {
  const [row] = await db.insert(patients).values(values).returning();
  return row!;
}

export async function updatePatient(tx: Tx, id: string, values: Partial<NewPatientRow>): Promise<PatientRow> {
  const [row] = await tx.update(patients).set(values).where(eq(patients.id, id)).returning();
  return row!;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Patients by family name, given name and id, from after the cursor's key, up to `limit` rows. A search text of
 * digits (spaces ignored) matches the start of the NHS number; any other text, the start of the full name written
 * either way round, in any case, a comma or extra spaces ignored: "harris", "Leo Harris", "HARRIS, Leo". Each
 * order has its own expression index (migration 0011), so the two prefixes are index range scans.
 */
export function searchPatients(
  db: Db | Tx,
  q: { scope?: string[]; siteId?: string; text?: string; after?: [string, string, string]; limit: number },
): Promise<PatientRow[]> {
  const { after } = q;
  const conditions: (SQL | undefined)[] = [
    q.scope ? inArray(patients.siteId, q.scope) : undefined,
    q.siteId ? eq(patients.siteId, q.siteId) : undefined,
    after
      ? or(
          gt(patients.familyName, after[0]),
          and(eq(patients.familyName, after[0]), gt(patients.givenName, after[1])),
          and(eq(patients.familyName, after[0]), eq(patients.givenName, after[1]), gt(patients.id, after[2])),
        )
      : undefined,
  ];
  const term = q.text?.trim();
  if (term) {
    const digits = term.replace(/\s+/g, '');
    // Lowered by the database, as the indexed expressions are, so that both sides fold case the same way.
    const name = sql`lower(${`${escapeLike(term.replaceAll(',', ' ').replace(/\s+/g, ' ').trim())}%`})`;
    conditions.push(
      /^\d+$/.test(digits)
        ? like(patients.nhsNumber, `${digits}%`)
        : or(
            like(sql`lower(${patients.familyName} || ' ' || ${patients.givenName})`, name),
            like(sql`lower(${patients.givenName} || ' ' || ${patients.familyName})`, name),
          ),
    );
  }
  return db
    .select()
    .from(patients)
    .where(and(...conditions))
    .orderBy(asc(patients.familyName), asc(patients.givenName), asc(patients.id))
    .limit(q.limit);
}

/** The patient's conditions, latest onset first. */
export function conditionsOf(db: Db | Tx, patientId: string): Promise<ConditionRow[]> {
  return db.select().from(patientConditions).where(eq(patientConditions.patientId, patientId)).orderBy(desc(patientConditions.onset));
}

/** The patient's hypoglycaemia episodes, newest first. */
export function hypoglycaemiaOf(db: Db | Tx, patientId: string): Promise<HypoglycaemiaRow[]> {
  return db.select().from(hypoglycaemiaEvents).where(eq(hypoglycaemiaEvents.patientId, patientId)).orderBy(desc(hypoglycaemiaEvents.effectiveAt));
}
