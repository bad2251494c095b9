import { and, asc, eq, sql } from 'drizzle-orm';
import type { Role } from '../../domain/access';
import type { HeldRecord } from '../../domain/caseload-import';
import type { Db, Tx } from '../db/client';
import { patients, referralEvents, referrals, sites } from '../db/schema';
import type { Ctx } from '../context';
import { auditValues, type AuditEntry } from './audit.repository';
import type { PatientRow } from './patient.repository';
import type { ReferralRow } from './referral.repository';

/**
 * The caseload import's queries: a handful of set-based reads to judge a whole file, and bulk inserts to write it.
 * A round trip per row would make a 10,000-row file take minutes.
 */

// One array parameter, however many values: a list of parameters would be capped by the protocol's limit. Sent as
// text, which both drivers write as an array, then cast to the column's type.
const anyOf = (values: readonly string[], type: 'text' | 'uuid' = 'text') => sql`any(${sql.param(values)}::text[]::${sql.raw(type)}[])`;

/** What the import compares a registered person's row with, and where they are registered. */
const REGISTERED = {
  id: patients.id,
  siteId: patients.siteId,
  nhsNumber: patients.nhsNumber,
  givenName: patients.givenName,
  familyName: patients.familyName,
  birthDate: patients.birthDate,
  sex: patients.sex,
  diabetesType: patients.diabetesType,
  ethnicCategory: patients.ethnicCategory,
  postcode: patients.postcode,
  imdDecile: patients.imdDecile,
  siteName: sites.name,
};

export type RegisteredRow = Pick<PatientRow, Exclude<keyof typeof REGISTERED, 'siteName'>> & { siteName: string };

/**
 * The patients with these NHS numbers, at any site, with their site's name. With `lock`, their rows are locked
 * until the transaction ends, in NHS number order so that two imports sharing people cannot deadlock.
 */
export async function patientsByNhsNumber(db: Db | Tx, nhsNumbers: readonly string[], { lock }: { lock: boolean }): Promise<RegisteredRow[]> {
  if (nhsNumbers.length === 0) return [];
  const query = db
    .select(REGISTERED)
    .from(patients)
    .innerJoin(sites, eq(sites.id, patients.siteId))
    .where(sql`${patients.nhsNumber} = ${anyOf(nhsNumbers)}`)
    .orderBy(asc(patients.nhsNumber));
  return lock ? query.for('update', { of: patients }) : query;
}

/** Every record of these patients, whatever its status, with an existing-therapy record's start as recorded. */
export async function recordsOfPatients(db: Db | Tx, patientIds: readonly string[]): Promise<HeldRecord[]> {
  if (patientIds.length === 0) return [];
  const rows = await db
    .select({
      patientId: referrals.patientId,
      therapy: referrals.therapy,
      status: referrals.status,
      origin: referrals.origin,
      receivedOn: referrals.receivedOn,
      startedOn: sql<string | null>`${referralEvents.payload}->>'startedOn'`,
      startedYear: sql<number | null>`(${referralEvents.payload}->>'startedYear')::int`,
    })
    .from(referrals)
    .leftJoin(referralEvents, and(eq(referralEvents.referralId, referrals.id), eq(referralEvents.type, 'existing_therapy')))
    .where(sql`${referrals.patientId} = ${anyOf(patientIds, 'uuid')}`);
  return rows.map((r) => ({ ...r, startedYear: r.startedYear === null ? null : Number(r.startedYear) }));
}

type Cell = string | number | null;

/**
 * The most JSON text one statement sends: a few hundred rows, so statements stay few, in a text small enough to be
 * short-lived garbage (V8 keeps a text of 128 KiB or more as a large object until a full collection).
 */
const STATEMENT_JSON = 64 * 1024;

/**
 * Inserts rows sent as one JSON array, which the database turns back into rows (json_to_recordset), each value
 * read as its column's type: one statement and one parameter for hundreds of rows. The JSON is written by
 * JSON.stringify; a parameter per cell, or an array per column, would have the driver escape every value (audit
 * entries' JSON above all) into a text of its own, for several times the time and memory. A jsonb column's value
 * travels as the JSON text of it, as a single insert sends it, and is parsed by the database. Items are taken one
 * at a time and may be made as they are taken, so that a file's thousands of records are never all held at once.
 */
async function insertRows<T>(tx: Tx, table: string, columns: Record<string, string>, items: Iterable<T>, toRow: (item: T) => Record<string, Cell>): Promise<void> {
  const names = Object.keys(columns);
  const read = names.map((name) => (columns[name] === 'jsonb' ? `r.${name}::jsonb` : `r.${name}`)).join(', ');
  const types = names.map((name) => `${name} ${columns[name] === 'jsonb' ? 'text' : columns[name]}`).join(', ');
  const statement = (json: string) =>
    tx.execute(sql`insert into ${sql.raw(table)} (${sql.raw(names.join(', '))}) select ${sql.raw(read)} from json_to_recordset(${sql.param(json)}::json) as r(${sql.raw(types)})`);
  let rows: string[] = [];
  let length = 0;
  for (const item of items) {
    const row = JSON.stringify(toRow(item));
    if (rows.length > 0 && length + row.length >= STATEMENT_JSON) {
      await statement(`[${rows.join(',')}]`);
      rows = [];
      length = 0;
    }
    rows.push(row);
    length += row.length + 1;
  }
  if (rows.length > 0) await statement(`[${rows.join(',')}]`);
}

/** A patient as the import registers one; the rest of the row takes its defaults. */
export type NewCaseloadPatient = Pick<
  PatientRow,
  'id' | 'siteId' | 'nhsNumber' | 'givenName' | 'familyName' | 'birthDate' | 'sex' | 'diabetesType' | 'ethnicCategory' | 'postcode' | 'imdDecile'
>;

export function insertPatients(tx: Tx, values: Iterable<NewCaseloadPatient>): Promise<void> {
  const columns = {
    id: 'uuid',
    site_id: 'uuid',
    nhs_number: 'text',
    given_name: 'text',
    family_name: 'text',
    birth_date: 'date',
    sex: 'sex',
    diabetes_type: 'diabetes_type',
    ethnic_category: 'text',
    postcode: 'text',
    imd_decile: 'int',
  };
  return insertRows(tx, 'patients', columns, values, (p) => ({
    id: p.id,
    site_id: p.siteId,
    nhs_number: p.nhsNumber,
    given_name: p.givenName,
    family_name: p.familyName,
    birth_date: p.birthDate,
    sex: p.sex,
    diabetes_type: p.diabetesType,
    ethnic_category: p.ethnicCategory,
    postcode: p.postcode,
    imd_decile: p.imdDecile,
  }));
}

/** A referral or existing-therapy record as the import writes one, at version 1. */
export type NewCaseloadReferral = Pick<
  ReferralRow,
  'id' | 'patientId' | 'siteId' | 'therapy' | 'status' | 'origin' | 'receivedOn' | 'source' | 'knownOn' | 'priorityGroup' | 'lastEventOn' | 'createdBy'
>;

export function insertReferrals(tx: Tx, values: Iterable<NewCaseloadReferral>): Promise<void> {
  const columns = {
    id: 'uuid',
    patient_id: 'uuid',
    site_id: 'uuid',
    therapy: 'therapy',
    status: 'referral_status',
    origin: 'text',
    received_on: 'date',
    source: 'text',
    known_on: 'date',
    priority_group: 'text',
    last_event_on: 'date',
    created_by: 'uuid',
  };
  return insertRows(tx, 'referrals', columns, values, (r) => ({
    id: r.id,
    patient_id: r.patientId,
    site_id: r.siteId,
    therapy: r.therapy,
    status: r.status,
    origin: r.origin,
    received_on: r.receivedOn,
    source: r.source,
    known_on: r.knownOn,
    priority_group: r.priorityGroup,
    last_event_on: r.lastEventOn,
    created_by: r.createdBy,
  }));
}

/** The first event of a record created with one, as insertEvent writes it. */
export interface NewCaseloadEvent {
  id: string;
  referralId: string;
  seq: number;
  type: (typeof referralEvents.$inferInsert)['type'];
  occurredOn: string;
  payload: unknown;
  statusAfter: (typeof referralEvents.$inferInsert)['statusAfter'];
  recordedBy: string | null;
  recordedRole: Role | null;
  recordedAt: Date;
}

export function insertEvents(tx: Tx, values: Iterable<NewCaseloadEvent>): Promise<void> {
  const columns = {
    id: 'uuid',
    referral_id: 'uuid',
    seq: 'int',
    type: 'event_type',
    occurred_on: 'date',
    payload: 'jsonb',
    status_after: 'referral_status',
    recorded_by: 'uuid',
    recorded_role: 'role',
    recorded_at: 'timestamptz',
  };
  return insertRows(tx, 'referral_events', columns, values, (e) => ({
    id: e.id,
    referral_id: e.referralId,
    seq: e.seq,
    type: e.type,
    occurred_on: e.occurredOn,
    payload: JSON.stringify(e.payload),
    status_after: e.statusAfter,
    recorded_by: e.recordedBy,
    recorded_role: e.recordedRole,
    recorded_at: e.recordedAt.toISOString(),
  }));
}

/** Audit entries exactly as writeAudit writes each (the same values), many to a statement, in the caller's transaction. */
export function writeAudits(tx: Tx, ctx: Ctx, entries: Iterable<AuditEntry>): Promise<void> {
  const columns = {
    actor_id: 'uuid',
    actor_role: 'role',
    action: 'text',
    entity_type: 'text',
    entity_id: 'uuid',
    request_id: 'text',
    client_address: 'text',
    before: 'jsonb',
    after: 'jsonb',
  };
  return insertRows(tx, 'audit_log', columns, entries, (entry) => {
    const v = auditValues(ctx, entry);
    return {
      actor_id: v.auditActorId,
      actor_role: v.auditActorRole,
      action: v.auditAction,
      entity_type: v.auditEntityType,
      entity_id: v.auditEntityId,
      request_id: v.auditRequestId,
      client_address: v.auditClientAddress,
      before: v.auditBefore,
      after: v.auditAfter,
    };
  });
}
