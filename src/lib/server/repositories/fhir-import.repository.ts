import { and, eq, notInArray, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { conflict } from '../../domain/errors';
import type { Db, Tx } from '../db/client';
import { hypoglycaemiaEvents, observations, patientConditions, patients } from '../db/schema';
import type { Provenance } from '../fhir/fhir.mappers';
import type { PatientRecord } from '../fhir/import.fetch';
import type { PatientRow } from './patient.repository';

/**
 * The database half of an import, run inside the caller's transaction: the patient row, then this server's
 * results, conditions and hypoglycaemia episodes for them, refreshed in place (upserts on the source keys, so
 * ids stay stable across re-imports) and those no longer on the server removed. Values from other servers
 * and manually entered results are never touched.
 */

export interface ImportCounts {
  hba1c: number;
  conditions: number;
  hypoglycaemia: number;
}

/** Large records are written in slices: PostgreSQL takes at most 65,535 parameters a statement. */
const CHUNK = 500;

const provenanceColumns = (p: Provenance) => ({
  sourceServer: p.server,
  sourceResourceType: p.resourceType,
  sourceResourceId: p.resourceId,
  sourceVersion: p.versionId,
  // meta.lastUpdated is a FHIR instant (to the second, with a zone), read as stated; instantOf is for clinical
  // dates, which may be a bare day.
  sourceLastUpdated: p.lastUpdated ? new Date(p.lastUpdated) : null,
  fetchedAt: p.fetchedAt,
});

/** `set` for an upsert: every listed column takes the incoming row's value. */
function fromExcluded(columns: Record<string, PgColumn>): Record<string, SQL> {
  return Object.fromEntries(Object.entries(columns).map(([key, column]) => [key, sql.raw(`excluded."${column.name}"`)]));
}

/** Whether the site an import is for exists (reads its id only). */
/**
 * Finds the local patient for a FHIR record: by this server's id first, else by NHS number. Refuses (409) a
 * patient registered at another site (moving a patient between services is a decision, not a side effect of
 * an import) and one linked to a different FHIR record (the records must be reconciled, not overwritten).
 * An import locks the rows it finds (`lock`, inside its transaction); a look-up before an import only reads.
 */
export async function findLocalPatient(db: Db | Tx, record: PatientRecord, siteId: string, { lock }: { lock: boolean }): Promise<PatientRow | undefined> {
  const find = async (where: SQL | undefined) => {
    const query = db.select().from(patients).where(where);
    const [row] = lock ? await query.for('update') : await query;
    return row;
  };
  let existing = await find(and(eq(patients.fhirServer, record.server), eq(patients.fhirId, record.patient.fhirId)));
  if (!existing && record.patient.nhsNumber) {
    existing = await find(eq(patients.nhsNumber, record.patient.nhsNumber));
    if (existing && existing.fhirId !== null) {
      throw conflict('A patient with this NHS number is already linked to a different FHIR record');
    }
  }
  if (existing && existing.siteId !== siteId) throw conflict('This patient is already registered at another site');
  return existing;
}

export async function upsertPatient(tx: Tx, record: PatientRecord, siteId: string, existing: PatientRow | undefined): Promise<PatientRow> {
  const { patient } = record;
  const values = {
    fhirServer: record.server,
    fhirId: patient.fhirId,
    fhirVersion: patient.version,
    fhirFetchedAt: record.fetchedAt,
    givenName: patient.givenName,
    familyName: patient.familyName,
    birthDate: patient.birthDate,
    sex: patient.sex,
  };
  if (!existing) {
    const [row] = await tx
      .insert(patients)
      .values({ ...values, siteId, nhsNumber: patient.nhsNumber, ethnicCategory: patient.ethnicCategory, postcode: patient.postcode, diabetesType: record.diabetesType })
      .returning();
    return row!;
  }
  const [row] = await tx
    .update(patients)
    .set({
      ...values,
      // A record without an NHS number, ethnic category, postcode or coded diabetes type does not erase what we know.
      nhsNumber: patient.nhsNumber ?? existing.nhsNumber,
      ethnicCategory: patient.ethnicCategory ?? existing.ethnicCategory,
      postcode: patient.postcode ?? existing.postcode,
      diabetesType: record.diabetesType === 'unknown' ? existing.diabetesType : record.diabetesType,
      version: existing.version + 1,
      updatedAt: new Date(),
    })
    .where(eq(patients.id, existing.id))
    .returning();
  return row!;
}

/** How many of this server's values the patient has now, in one statement: the audit's before and after. */
export async function countImported(tx: Tx, patientId: string, server: string): Promise<ImportCounts> {
  const of = (table: PgTable & { patientId: PgColumn; sourceServer: PgColumn }) =>
    sql`(select count(*) from ${table} where ${and(eq(table.patientId, patientId), eq(table.sourceServer, server))})`.mapWith(Number);
  const [row] = await tx
    .select({ hba1c: of(observations), conditions: of(patientConditions), hypoglycaemia: of(hypoglycaemiaEvents) })
    .from(patients)
    .where(eq(patients.id, patientId));
  return row ?? { hba1c: 0, conditions: 0, hypoglycaemia: 0 };
}

async function inChunks<T>(rows: readonly T[], write: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await write(rows.slice(i, i + CHUNK));
}

export async function replaceImportedValues(tx: Tx, patientId: string, record: PatientRecord): Promise<void> {
  // The three tables are independent, so their statements go out together: postgres.js pipelines them on
  // the transaction's connection instead of waiting a round trip for each (PGlite simply runs them in turn).
  await Promise.all([refreshHba1c(tx, patientId, record), refreshConditions(tx, patientId, record), refreshHypoglycaemia(tx, patientId, record)]);
}

async function refreshHba1c(tx: Tx, patientId: string, record: PatientRecord): Promise<void> {
  const { server } = record;
  const hba1cRows = record.hba1c.map((r) => ({
    patientId,
    kind: 'hba1c' as const,
    effective: r.effective,
    effectiveAt: r.effectiveAt,
    mmolMol: r.mmolMol,
    originalValue: String(r.original.value),
    originalUnit: r.original.unit,
    source: 'fhir' as const,
    sourceServer: server,
    sourceResourceId: r.provenance.resourceId,
    sourceVersion: r.provenance.versionId,
    fetchedAt: r.provenance.fetchedAt,
  }));
  await inChunks(hba1cRows, (chunk) =>
    tx
      .insert(observations)
      .values(chunk)
      .onConflictDoUpdate({
        target: [observations.patientId, observations.sourceServer, observations.sourceResourceId],
        set: fromExcluded({
          effective: observations.effective,
          effectiveAt: observations.effectiveAt,
          mmolMol: observations.mmolMol,
          originalValue: observations.originalValue,
          originalUnit: observations.originalUnit,
          sourceVersion: observations.sourceVersion,
          fetchedAt: observations.fetchedAt,
        }),
      }),
  );
  const keptHba1c = hba1cRows.map((r) => r.sourceResourceId);
  await tx
    .delete(observations)
    .where(
      and(
        eq(observations.patientId, patientId),
        eq(observations.source, 'fhir'),
        eq(observations.sourceServer, server),
        keptHba1c.length ? notInArray(observations.sourceResourceId, keptHba1c) : undefined,
      ),
    );
}

async function refreshConditions(tx: Tx, patientId: string, record: PatientRecord): Promise<void> {
  const { server } = record;
  const conditionRows = record.conditions.map((c) => ({
    patientId,
    kind: c.kind,
    system: c.system,
    code: c.code,
    display: c.display,
    clinicalStatus: c.clinicalStatus,
    onset: c.onset,
    ...provenanceColumns(c.provenance),
  }));
  await inChunks(conditionRows, (chunk) =>
    tx
      .insert(patientConditions)
      .values(chunk)
      .onConflictDoUpdate({
        target: [patientConditions.patientId, patientConditions.sourceServer, patientConditions.sourceResourceId],
        set: fromExcluded({
          kind: patientConditions.kind,
          system: patientConditions.system,
          code: patientConditions.code,
          display: patientConditions.display,
          clinicalStatus: patientConditions.clinicalStatus,
          onset: patientConditions.onset,
          sourceResourceType: patientConditions.sourceResourceType,
          sourceVersion: patientConditions.sourceVersion,
          sourceLastUpdated: patientConditions.sourceLastUpdated,
          fetchedAt: patientConditions.fetchedAt,
        }),
      }),
  );
  const keptConditions = conditionRows.map((r) => r.sourceResourceId);
  await tx
    .delete(patientConditions)
    .where(
      and(
        eq(patientConditions.patientId, patientId),
        eq(patientConditions.sourceServer, server),
        keptConditions.length ? notInArray(patientConditions.sourceResourceId, keptConditions) : undefined,
      ),
    );
}

async function refreshHypoglycaemia(tx: Tx, patientId: string, record: PatientRecord): Promise<void> {
  const { server } = record;
  const hypoRows = record.hypoglycaemia.map((h) => ({
    patientId,
    effective: h.effective,
    effectiveAt: h.effectiveAt,
    description: h.description,
    ...provenanceColumns(h.provenance),
  }));
  await inChunks(hypoRows, (chunk) =>
    tx
      .insert(hypoglycaemiaEvents)
      .values(chunk)
      .onConflictDoUpdate({
        target: [hypoglycaemiaEvents.patientId, hypoglycaemiaEvents.sourceServer, hypoglycaemiaEvents.sourceResourceType, hypoglycaemiaEvents.sourceResourceId],
        set: fromExcluded({
          effective: hypoglycaemiaEvents.effective,
          effectiveAt: hypoglycaemiaEvents.effectiveAt,
          description: hypoglycaemiaEvents.description,
          sourceVersion: hypoglycaemiaEvents.sourceVersion,
          sourceLastUpdated: hypoglycaemiaEvents.sourceLastUpdated,
          fetchedAt: hypoglycaemiaEvents.fetchedAt,
        }),
      }),
  );
  // Condition and Observation ids may coincide, so an episode is identified by type and id together.
  const keptHypos = hypoRows.map((r) => `${r.sourceResourceType}/${r.sourceResourceId}`);
  await tx
    .delete(hypoglycaemiaEvents)
    .where(
      and(
        eq(hypoglycaemiaEvents.patientId, patientId),
        eq(hypoglycaemiaEvents.sourceServer, server),
        keptHypos.length
          ? notInArray(sql`${hypoglycaemiaEvents.sourceResourceType} || '/' || ${hypoglycaemiaEvents.sourceResourceId}`, keptHypos)
          : undefined,
      ),
    );
}
